package io.idempotent.autoconfigure;

import java.util.function.Supplier;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ClassUtils;

import io.idempotent.core.TransactionalCompletion;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.transaction.JdbcTransactionalCompletion;

/**
 * Builds what commit-with-transaction needs when it can exist: the store is the {@link JdbcIdempotencyStore}
 * and the application has one (or a primary) {@link PlatformTransactionManager}. Whether that manager runs its
 * transactions on the store's DataSource is checked at start-up ({@link CommitWithTransactionCheck}), only
 * when an operation uses the mode.
 */
final class TransactionalCompletions {

	private static final boolean JDBC_PRESENT = ClassUtils.isPresent("org.springframework.jdbc.core.JdbcTemplate",
			TransactionalCompletions.class.getClassLoader());

	private TransactionalCompletions() {
	}

	/**
	 * The completion for the store, or null when the store or the transaction manager is missing.
	 * @param store the store, undecorated
	 * @param beans the bean factory
	 * @param traceIds the current trace id, stored with each completion; null when tracing is off
	 * @return the completion, or null
	 */
	static TransactionalCompletion forStore(IdempotencyStore store, ListableBeanFactory beans,
			Supplier<String> traceIds) {
		return JDBC_PRESENT ? Jdbc.forStore(store, beans, traceIds) : null;
	}

	/**
	 * Why {@link #forStore} found nothing, for the start-up failure.
	 * @param store the store
	 * @param beans the bean factory
	 * @return the reason
	 */
	static String whyNot(IdempotencyStore store, ListableBeanFactory beans) {
		if (!JDBC_PRESENT || !Jdbc.isJdbc(store)) {
			return "the store is '" + store.type() + "', not the JDBC store (idempotent.store.type=jdbc)";
		}
		return "no single or primary PlatformTransactionManager bean for the store's DataSource was found "
				+ "(beans of that type: " + beans.getBeanNamesForType(PlatformTransactionManager.class).length + ")";
	}

	/** Touched only when spring-jdbc (hence spring-tx) is on the classpath. */
	private static final class Jdbc {

		static boolean isJdbc(IdempotencyStore store) {
			return store instanceof JdbcIdempotencyStore;
		}

		static TransactionalCompletion forStore(IdempotencyStore store, ListableBeanFactory beans,
				Supplier<String> traceIds) {
			if (!(store instanceof JdbcIdempotencyStore jdbc)) {
				return null;
			}
			PlatformTransactionManager transactions = beans.getBeanProvider(PlatformTransactionManager.class)
				.getIfUnique();
			return (transactions != null) ? new JdbcTransactionalCompletion(jdbc, transactions, traceIds) : null;
		}

	}

}
