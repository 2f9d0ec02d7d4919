package io.idempotent.core;

import io.idempotent.store.AcquireResult;

/**
 * Hears what the engine decides, for metrics and logs. Every method has a no-op default; implementations must
 * be fast and must not throw.
 */
public interface IdempotencyObserver {

	/** Hears nothing. */
	IdempotencyObserver NONE = new IdempotencyObserver() {
	};

	/**
	 * One observer that tells each of the given ones, in order.
	 * @param observers the observers
	 * @return {@link #NONE} for none, the observer itself for one, else a composite
	 */
	static IdempotencyObserver of(java.util.List<? extends IdempotencyObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		return (observers.size() == 1) ? observers.get(0) : new CompositeIdempotencyObserver(observers);
	}

	/**
	 * A duplicate was blocked.
	 * @param operation the operation
	 * @param state {@link AcquireResult.Status#COMPLETED} or {@link AcquireResult.Status#IN_PROGRESS}
	 */
	default void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
	}

	/**
	 * A duplicate was blocked, recognised at the given level. The engine calls this one; by default it tells
	 * {@link #duplicate(IdempotentOperation, AcquireResult.Status)}.
	 * @param operation the operation
	 * @param state {@link AcquireResult.Status#COMPLETED} or {@link AcquireResult.Status#IN_PROGRESS} (always
	 * {@link DuplicateLevel#STORE})
	 * @param level where it was recognised
	 */
	default void duplicate(IdempotentOperation operation, AcquireResult.Status state, DuplicateLevel level) {
		duplicate(operation, state);
	}

	/**
	 * A duplicate of a completed key was found in the near cache (no store call was made); it is then reported as
	 * a duplicate or a payload mismatch at {@link DuplicateLevel#NEAR}, as one found in the store would be.
	 * @param operation the operation
	 * @param originalTraceId the trace id the completion was kept with (tracing on), else null
	 */
	default void nearCacheHit(IdempotentOperation operation, String originalTraceId) {
	}

	/**
	 * A guarded call ran.
	 * @param operation the operation
	 * @param success whether it returned normally
	 * @param nanos how long it ran
	 */
	default void executed(IdempotentOperation operation, boolean success, long nanos) {
	}

	/**
	 * A call finished but its claim had been taken over after its lease expired, so its complete, release or
	 * renew was refused.
	 * @param operation the operation
	 * @param transition {@code complete}, {@code release} or {@code renew}
	 */
	default void fencedOut(IdempotentOperation operation, String transition) {
	}

	/**
	 * The store was unreachable and the call ran unguarded because its failure mode is fail-open.
	 * @param operation the operation
	 */
	default void failedOpen(IdempotentOperation operation) {
	}

	/**
	 * A duplicate of a completed key carried a different payload fingerprint (the key was reused).
	 * @param operation the operation
	 */
	default void payloadMismatch(IdempotentOperation operation) {
	}

	/**
	 * A duplicate of a completed key carried a different payload fingerprint, recognised at the given level. The
	 * engine calls this one; by default it tells {@link #payloadMismatch(IdempotentOperation)}.
	 * @param operation the operation
	 * @param level where the completed key was found
	 */
	default void payloadMismatch(IdempotentOperation operation, DuplicateLevel level) {
		payloadMismatch(operation);
	}

	/**
	 * A call succeeded but its completion could not be recorded, even after retrying for the configured bound:
	 * its key will expire with its lease and a redelivery may run it again.
	 * @param operation the operation
	 */
	default void completionFailed(IdempotentOperation operation) {
	}

}
