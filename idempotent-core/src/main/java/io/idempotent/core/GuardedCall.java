package io.idempotent.core;

/**
 * One call the engine guards: how to run it, what to store when it succeeds, and what a duplicate of a
 * completed key gets back.
 *
 * @param <T> the call's result type
 */
public interface GuardedCall<T> {

	/**
	 * Runs the guarded work.
	 * @return its result
	 * @throws Throwable whatever the work throws; it is rethrown unchanged
	 */
	T proceed() throws Throwable;

	/**
	 * The bytes to store for a successful result.
	 * @param result the result of {@link #proceed()}
	 * @return the bytes, never null
	 */
	byte[] encode(T result);

	/**
	 * The value a duplicate of a completed key returns.
	 * @param stored the bytes stored by the first call
	 * @return the value
	 */
	T replay(byte[] stored);

	/**
	 * Whether a result that returned normally completes the key; false releases it so a retry runs (an HTTP
	 * 5xx, say).
	 * @param result the result
	 * @return true to complete
	 */
	default boolean completes(T result) {
		return true;
	}

	/**
	 * A digest of the call's payload (at most 64 bytes), stored with the claim so a later call with the same
	 * key but a different payload is recognised ({@link PayloadMismatch}).
	 * @return the fingerprint, or null when the call has none
	 */
	default byte[] fingerprint() {
		return null;
	}

	/**
	 * Whether a duplicate of a running call waits on this thread until the first call ends (then completes or
	 * takes over) instead of being refused with {@link IdempotencyInProgressException}. For deliveries whose
	 * refusal would cost more than the wait: an ORDERLY queue, or a message's last redelivery before the
	 * dead-letter queue.
	 * @return true to wait
	 */
	default boolean waitsWhileInProgress() {
		return false;
	}

	/**
	 * Hears that this call was refused because the first call for its key is still running (for logs).
	 */
	default void refusedInProgress() {
	}

}
