package io.idempotent.core;

import io.idempotent.store.IdempotencyKey;

/**
 * One guarded call in progress, for transports whose result is only known after the guarded method returns
 * (an HTTP response is written after the controller method). Obtained from
 * {@link IdempotencyEngine#begin}; an {@link Status#ACQUIRED} attempt must end with exactly one of
 * {@link #complete} or {@link #release}, which also stop its lease keep-alive. Calling {@link #release} after
 * {@link #complete} is a no-op, so {@code finally { attempt.release(); }} safely ends every path, an
 * {@link Error} included.
 */
public interface Attempt {

	/** What the claim found. */
	enum Status {

		/** The caller owns the key and must complete or release it. */
		ACQUIRED,

		/** The key completed earlier; {@link #storedResult()} holds the first result. */
		COMPLETED,

		/** Another call holds the key. */
		IN_PROGRESS,

		/** The store failed and the operation fails open: run without a claim. */
		UNGUARDED

	}

	/**
	 * What the claim found.
	 * @return the status
	 */
	Status status();

	/**
	 * The first call's stored result, for {@link Status#COMPLETED}.
	 * @return the bytes, or null
	 * @throws IdempotencyResultUnavailableException when the first call ran but its result could not be stored
	 */
	byte[] storedResult();

	/**
	 * The fingerprint stored with the existing record, for {@link Status#IN_PROGRESS} and
	 * {@link Status#COMPLETED} claims made with one ({@link IdempotencyEngine#begin(IdempotentOperation,
	 * IdempotencyKey, byte[])}); null when the store keeps none. Not copied: do not modify.
	 * @return the fingerprint bytes, or null
	 */
	default byte[] fingerprint() {
		return null;
	}

	/**
	 * Records the call as completed with its result (fenced by the owner token). A result larger than the
	 * store's {@link io.idempotent.store.IdempotencyStore#maxResultSize()} completes the key without it (later
	 * duplicates get {@link IdempotencyResultUnavailableException}). Store failures are not thrown: the key
	 * stays held (keep-alive continues) and the completion is retried in the background. No-op unless
	 * {@link Status#ACQUIRED}.
	 * @param result the bytes later duplicates get
	 */
	void complete(byte[] result);

	/**
	 * Completes the key without a result, after the call ran but its result could not be recorded (an
	 * {@link Error} while capturing it): later duplicates get {@link IdempotencyResultUnavailableException}
	 * instead of running the work again. No-op unless {@link Status#ACQUIRED} and not yet ended.
	 * @param reason why the result is missing, for the duplicates' exception
	 */
	default void completeWithoutResult(String reason) {
		release();
	}

	/**
	 * Releases the claim so a retry runs. No-op unless {@link Status#ACQUIRED} and not yet ended.
	 */
	void release();

	/**
	 * Records that the call ran and how it ended, for metrics.
	 * @param success whether it succeeded
	 * @param nanos how long it ran
	 */
	void executed(boolean success, long nanos);

	/**
	 * For {@link Status#COMPLETED}: the trace id of the call that did the work, when it was recorded with one
	 * (tracing on, see {@link TraceLink}).
	 * @return the trace id, or null
	 */
	default String originalTraceId() {
		return null;
	}

	/**
	 * The claim's fence for {@link Status#ACQUIRED} (see {@link IdempotencyContext#fence()}), else 0.
	 * @return the fence
	 */
	default long fence() {
		return 0;
	}

	/**
	 * For {@link Status#COMPLETED}: false when both calls gave a fingerprint and they differ (the key was
	 * reused for a different payload).
	 * @return whether the payload matches, true when unknown
	 */
	default boolean payloadMatches() {
		return true;
	}

	/**
	 * The claim as running code sees it, for {@link IdempotencyContext#bind}; null unless
	 * {@link Status#ACQUIRED}.
	 * @return the context
	 */
	default IdempotencyContext context() {
		return null;
	}

}
