package io.idempotent.core;

/**
 * One guarded call in progress, for transports whose result is only known after the guarded method returns
 * (an HTTP response is written after the controller method). Obtained from
 * {@link IdempotencyEngine#begin}; an {@link Status#ACQUIRED} attempt must end with exactly one of
 * {@link #complete} or {@link #release}, which also stop its lease keep-alive.
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
	 */
	byte[] storedResult();

	/**
	 * The largest result, in bytes, {@link #complete} can record: the store's
	 * {@link io.idempotent.store.IdempotencyStore#maxResultSize()}. A caller with a larger result should release
	 * the attempt or record something smaller instead.
	 * @return the limit in bytes
	 */
	default int maxResultSize() {
		return Integer.MAX_VALUE;
	}

	/**
	 * Records the call as completed with its result (fenced by the owner token). Store failures are logged,
	 * not thrown: the work has taken effect. No-op unless {@link Status#ACQUIRED}.
	 * @param result the bytes later duplicates get
	 */
	void complete(byte[] result);

	/**
	 * Releases the claim so a retry runs. No-op unless {@link Status#ACQUIRED}.
	 */
	void release();

	/**
	 * Records that the call ran and how it ended, for metrics.
	 * @param success whether it succeeded
	 * @param nanos how long it ran
	 */
	void executed(boolean success, long nanos);

}
