package io.idempotent.core;

import java.time.Duration;
import io.idempotent.store.IdempotencyKey;

/**
 * Runs a claimed call inside a transaction on the store's own database and completes its key in that same
 * transaction, just before it commits ({@link IdempotencySettings#commitWithTransaction()}). The call's
 * writes to that database and the completion then commit together or not at all: a crash before the commit
 * loses both (the claim expires with its lease and the redelivery runs once), a crash after it keeps both (the
 * redelivery is a duplicate). The completion is conditional on the claim's owner token: when another caller
 * took the key over, the completion fails and the whole transaction rolls back with
 * {@link IdempotencyLeaseLostException}.
 *
 * <p>When no transaction is active the implementation starts one; when the caller already runs in one on the
 * same database, the call joins it and the completion runs when that transaction commits. Either way the
 * {@link Claim} hears the outcome once the transaction has ended.
 */
public interface TransactionalCompletion {

	/**
	 * Runs the call in a transaction whose commit also completes the claim.
	 * @param <T> the call's result type
	 * @param claim the claim: its key, token and outcome callbacks
	 * @param call the call
	 * @return the call's result (the transaction has committed when no outer transaction was joined)
	 * @throws IdempotencyLeaseLostException when the claim was taken over before the commit (rolled back)
	 * @throws Throwable whatever the call throws, unchanged (the transaction is rolled back)
	 */
	<T> T run(Claim<T> claim, Call<T> call) throws Throwable;

	/**
	 * Starts (or joins) the transaction of a call whose result is only known later on the same thread (an HTTP
	 * response, complete once written into its buffer): the caller runs the call, then ends the transaction with
	 * {@link Transaction#commit} or {@link Transaction#rollback}, on the thread that began it.
	 * @param <T> the call's result type
	 * @param claim the claim: its key, token and outcome callbacks
	 * @return the open transaction
	 * @throws IllegalStateException when the transaction is not on the store's database (the claim is released)
	 */
	<T> Transaction<T> begin(Claim<T> claim);

	/**
	 * Checks at start-up that transactions can be run on the store's database, so a misconfiguration fails
	 * the application instead of its first call.
	 * @throws IllegalStateException saying what is missing
	 */
	void verify();

	/**
	 * A transaction begun by {@link TransactionalCompletion#begin}, ended exactly once by the thread that began it.
	 * @param <T> the call's result type
	 */
	interface Transaction<T> {

		/**
		 * Completes the claim with the result in the transaction and commits it (when the guard began it); a
		 * transaction marked rollback-only (by the call's own {@code @Transactional}) is rolled back instead.
		 * @param result the call's result
		 * @return true when committed with the completion, false when rolled back as marked (claim released)
		 * @throws IdempotencyLeaseLostException when the claim was taken over before the commit (rolled back)
		 */
		boolean commit(T result);

		/** Rolls the transaction back; the claim is then released. */
		void rollback();

	}

	/**
	 * The call itself.
	 * @param <T> its result type
	 */
	@FunctionalInterface
	interface Call<T> {

		/**
		 * Runs the call.
		 * @return its result
		 * @throws Throwable whatever it throws
		 */
		T proceed() throws Throwable;

	}

	/**
	 * The claim being completed and what its engine wants to hear.
	 * @param <T> the call's result type
	 */
	interface Claim<T> {

		/**
		 * The claimed key.
		 * @return the key
		 */
		IdempotencyKey key();

		/**
		 * The owner token of the claim.
		 * @return the token
		 */
		String token();

		/**
		 * How long the completed record is kept.
		 * @return the retention
		 */
		Duration retention();

		/**
		 * The bytes to complete with, once the call has returned; null when the key is to be released instead.
		 * @param result the call's result
		 * @return the stored result, or null
		 */
		byte[] completion(T result);

		/**
		 * Called when the call joined a transaction that was already open: the store may count the completion's
		 * retention from that transaction's start (PostgreSQL's and H2's {@code CURRENT_TIMESTAMP}), which is
		 * unknown here, so the completion is not kept in the near cache.
		 */
		default void joinedOpenTransaction() {
		}

		/** Called just before the completion is written, when the lease need no longer be kept alive. */
		void completing();

		/** Called after the transaction committed with the completion. */
		void committed();

		/** Called after the transaction rolled back (or ended unknown); the claim should be released. */
		void rolledBack();

		/** Called when the completion found the claim taken over; the transaction rolls back. */
		void fencedOut();

	}

}
