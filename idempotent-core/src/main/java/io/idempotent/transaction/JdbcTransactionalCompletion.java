package io.idempotent.transaction;

import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.core.Ordered;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.idempotent.core.IdempotencyLeaseLostException;
import io.idempotent.core.TraceLink;
import io.idempotent.core.TransactionalCompletion;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * Commits a key's completion with the call's own transaction on the {@link JdbcIdempotencyStore}'s database,
 * through the application's {@link PlatformTransactionManager} for that {@link DataSource}
 * ({@code DataSourceTransactionManager}, {@code JdbcTransactionManager} or {@code JpaTransactionManager}).
 *
 * <p>The call runs with {@code PROPAGATION_REQUIRED}: the guard starts the transaction when none is active, so
 * a handler's own {@code @Transactional} (REQUIRED) joins it; when the caller already runs in a transaction on
 * that database the call joins it instead. A transaction synchronization then, just before the outermost
 * transaction commits, updates the record to COMPLETED with the result, conditional on the claim's owner token;
 * the row stays locked until the commit, so no one can take the key over in between. When the token no longer
 * owns the record, it throws {@link IdempotencyLeaseLostException} and the transaction rolls back. After a
 * rollback (the call threw, the commit failed, or the outcome is unknown) the claim is released, conditional on
 * the token and on the record still being PROCESSING, so a commit that did happen is never undone.
 *
 * <p>Not covered: writes the call makes outside that transaction (another database, a message, an RPC, a
 * {@code REQUIRES_NEW} transaction of its own) commit on their own, exactly as without this mode.
 */
public final class JdbcTransactionalCompletion implements TransactionalCompletion {

	private final JdbcIdempotencyStore store;

	private final PlatformTransactionManager transactionManager;

	private final Supplier<String> traceIds;

	private final IdempotencyStore completions;

	/**
	 * Creates the completion.
	 * @param store the JDBC store
	 * @param transactionManager a transaction manager for the store's DataSource
	 */
	public JdbcTransactionalCompletion(JdbcIdempotencyStore store, PlatformTransactionManager transactionManager) {
		this(store, transactionManager, null);
	}

	/**
	 * Creates the completion that, like the observed store's completions, stores the current trace id with the
	 * result ({@link TraceLink}) so that a replay names the call that did the work.
	 * @param store the JDBC store
	 * @param transactionManager a transaction manager for the store's DataSource
	 * @param traceIds the current trace id (null when there is none); null when tracing is off
	 */
	public JdbcTransactionalCompletion(JdbcIdempotencyStore store, PlatformTransactionManager transactionManager,
			Supplier<String> traceIds) {
		this(store, transactionManager, traceIds, store);
	}

	/**
	 * Creates the completion that writes through the decorated store the engine uses (timed, observed), so the
	 * completion statement is measured like every other store call.
	 * @param store the JDBC store
	 * @param transactionManager a transaction manager for the store's DataSource
	 * @param traceIds the current trace id (null when there is none); null when tracing is off
	 * @param completions the store as decorated around {@code store}; its
	 * {@link IdempotencyStore#completeInCurrentTransaction} writes the completion (when a decorator does not
	 * forward that call, the undecorated store writes it)
	 */
	public JdbcTransactionalCompletion(JdbcIdempotencyStore store, PlatformTransactionManager transactionManager,
			Supplier<String> traceIds, IdempotencyStore completions) {
		this.store = store;
		this.transactionManager = transactionManager;
		this.traceIds = traceIds;
		this.completions = completions;
	}

	@Override
	public void verify() {
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition(
				TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		definition.setName("idempotent-transaction-manager-check");
		TransactionStatus status = this.transactionManager.getTransaction(definition);
		boolean bound;
		try {
			bound = TransactionSynchronizationManager.hasResource(this.store.dataSource());
		}
		finally {
			this.transactionManager.rollback(status);
		}
		if (!bound) {
			throw new IllegalStateException("The transaction manager " + this.transactionManager.getClass().getName()
					+ " does not run its transactions on the idempotency store's DataSource, so a completion cannot "
					+ "commit with the call's writes (commit-with-transaction). Give the store the DataSource the "
					+ "transaction manager uses, or switch commit-with-transaction off");
		}
	}

	@Override
	public <T> T run(Claim<T> claim, Call<T> call) throws Throwable {
		OpenTransaction<T> transaction = open(claim);
		T result;
		try {
			result = call.proceed();
		}
		catch (Throwable ex) {
			try {
				transaction.rollback();
			}
			catch (RuntimeException | Error rollbackFailure) {
				ex.addSuppressed(rollbackFailure);
			}
			throw ex;
		}
		transaction.commitAnyway(result);
		return result;
	}

	@Override
	public <T> Transaction<T> begin(Claim<T> claim) {
		return open(claim);
	}

	private <T> OpenTransaction<T> open(Claim<T> claim) {
		TransactionStatus status;
		try {
			status = this.transactionManager.getTransaction(new DefaultTransactionDefinition());
		}
		catch (RuntimeException | Error ex) {
			claim.rolledBack();
			throw ex;
		}
		if (!status.isNewTransaction()) {
			claim.joinedOpenTransaction();
		}
		Completion<T> completion = new Completion<>(claim);
		TransactionSynchronizationManager.registerSynchronization(completion);
		if (!TransactionSynchronizationManager.hasResource(this.store.dataSource())) {
			this.transactionManager.rollback(status);
			throw new IllegalStateException("The transaction of '" + claim.key().name() + "' is not on the "
					+ "idempotency store's DataSource; its completion cannot commit with its writes");
		}
		return new OpenTransaction<>(status, completion);
	}

	/**
	 * A begun transaction and its completion: ended once, by commit or rollback.
	 */
	private final class OpenTransaction<T> implements Transaction<T> {

		private final TransactionStatus status;

		private final Completion<T> completion;

		OpenTransaction(TransactionStatus status, Completion<T> completion) {
			this.status = status;
			this.completion = completion;
		}

		@Override
		public boolean commit(T result) {
			if (this.status.isRollbackOnly()) {
				rollback(); // the call's own transaction asked for it: the claim is released
				return false;
			}
			commitAnyway(result);
			return true;
		}

		/** Commits even a transaction marked rollback-only, whose commit then rolls back and says so. */
		void commitAnyway(T result) {
			try {
				this.completion.ready(this.completion.claim.completion(result));
			}
			catch (RuntimeException | Error ex) {
				rollbackAfter(ex);
				throw ex;
			}
			JdbcTransactionalCompletion.this.transactionManager.commit(this.status);
		}

		@Override
		public void rollback() {
			if (!this.status.isCompleted()) {
				JdbcTransactionalCompletion.this.transactionManager.rollback(this.status);
			}
		}

		private void rollbackAfter(Throwable ex) {
			try {
				rollback();
			}
			catch (RuntimeException | Error rollbackFailure) {
				ex.addSuppressed(rollbackFailure);
			}
		}

	}

	/**
	 * Writes the completion just before the outermost transaction commits and ends the claim after it.
	 */
	private final class Completion<T> implements TransactionSynchronization {

		private final Claim<T> claim;

		private volatile boolean ready;

		private volatile byte[] result;

		Completion(Claim<T> claim) {
			this.claim = claim;
		}

		void ready(byte[] result) {
			this.result = result;
			this.ready = true;
		}

		@Override
		public int getOrder() {
			// after other synchronizations that may still write (flushes), so it is the last statement
			return Ordered.LOWEST_PRECEDENCE;
		}

		@Override
		public void beforeCommit(boolean readOnly) {
			if (!this.ready) {
				return; // the call did not return normally: nothing to complete, released after the transaction
			}
			this.claim.completing();
			byte[] stored = this.result;
			if (stored == null) {
				return; // released after the commit
			}
			if (JdbcTransactionalCompletion.this.traceIds != null) {
				// as the observed store does: the engine's bytes carry at most an empty envelope of their own
				stored = TraceLink.wrap(JdbcTransactionalCompletion.this.traceIds.get(), TraceLink.unwrap(stored));
			}
			if (!completeInCurrentTransaction(stored)) {
				this.claim.fencedOut();
				throw IdempotencyLeaseLostException.beforeCommit(this.claim.key().name());
			}
		}

		private boolean completeInCurrentTransaction(byte[] stored) {
			try {
				return JdbcTransactionalCompletion.this.completions.completeInCurrentTransaction(this.claim.key(),
						this.claim.token(), stored, this.claim.retention());
			}
			catch (UnsupportedOperationException ex) {
				// an application decorator that does not forward it: the undecorated store writes the completion
				return JdbcTransactionalCompletion.this.store.completeInCurrentTransaction(this.claim.key(),
						this.claim.token(), stored, this.claim.retention());
			}
		}

		@Override
		public void afterCompletion(int status) {
			// the ended transaction's connection may still be bound: a release must not run on it
			DataSource dataSource = JdbcTransactionalCompletion.this.store.dataSource();
			Object ended = TransactionSynchronizationManager.unbindResourceIfPossible(dataSource);
			try {
				if (status == STATUS_COMMITTED) {
					this.claim.committed();
				}
				else {
					this.claim.rolledBack();
				}
			}
			finally {
				if (ended != null) {
					TransactionSynchronizationManager.bindResource(dataSource, ended);
				}
			}
		}

	}

}
