package io.idempotent.core;

/**
 * What a duplicate does when its key matches a completed record but its payload fingerprint differs (a key
 * reused for a different message). Either way it is logged at WARN and counted
 * ({@code idempotent.duplicates{state=mismatch}}); the guarded method does not run.
 */
public enum PayloadMismatch {

	/** Treat it as a duplicate: return the first result (a message is acknowledged). The default. */
	REPLAY,

	/**
	 * Refuse it with {@link IdempotencyPayloadMismatchException}: a message is redelivered and, once its retries
	 * are spent, dead-lettered.
	 */
	REFUSE

}
