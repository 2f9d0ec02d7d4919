package io.idempotent.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ACQUIRED {@link Attempt} whose work runs in a transaction on the store's database that also completes its
 * key (commit-with-transaction, see {@link TransactionalCompletion#begin}), for transports whose result is only
 * known after the guarded method returns: the HTTP guard begins it before the controller runs and ends it once
 * the response has been buffered, before any byte of it is sent. Ended exactly once, on the thread that began
 * it: {@link #commit} writes the completion in the transaction and commits the work with it; {@link #rollback}
 * undoes the work and releases the key, so a retry runs.
 */
public final class TransactionalAttempt {

	private final TransactionalCompletion.Transaction<byte[]> transaction;

	private final AtomicBoolean ended = new AtomicBoolean();

	TransactionalAttempt(TransactionalCompletion.Transaction<byte[]> transaction) {
		this.transaction = transaction;
	}

	/**
	 * Completes the key with the result in the transaction and commits. A transaction marked rollback-only (by
	 * the work's own {@code @Transactional}) is rolled back instead and the key released. A no-op once ended.
	 * @param result the bytes later duplicates get (at most the store's result limit)
	 * @return true when the work committed with the completion; false when it was rolled back or already ended
	 * @throws IdempotencyLeaseLostException when the key was taken over meanwhile: the work was rolled back
	 * @throws RuntimeException when the commit failed: the work was rolled back, or, when the failure left the
	 * outcome unknown, committed with its completion
	 */
	public boolean commit(byte[] result) {
		return this.ended.compareAndSet(false, true) && this.transaction.commit(result);
	}

	/**
	 * Rolls the work back and releases the key. A no-op once ended.
	 */
	public void rollback() {
		if (this.ended.compareAndSet(false, true)) {
			this.transaction.rollback();
		}
	}

	/**
	 * Whether {@link #commit} or {@link #rollback} has been called.
	 * @return true once ended
	 */
	public boolean ended() {
		return this.ended.get();
	}

}
