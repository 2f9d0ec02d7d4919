package io.idempotent.autoconfigure;

import java.util.Arrays;
import java.util.List;
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
 * and the application has the {@link PlatformTransactionManager} named by
 * {@code idempotent.store.jdbc.transaction-manager}, or else one (or a primary) of them. Whether that manager runs its
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
	 * @param decorated the store as the engine uses it (timed, observed): it writes the completions
	 * @param beans the bean factory
	 * @param traceIds the current trace id, stored with each completion; null when tracing is off
	 * @param transactionManager the name of the transaction manager bean to use, or null for the only or primary one
	 * @return the completion, or null
	 */
	static TransactionalCompletion forStore(IdempotencyStore store, IdempotencyStore decorated,
			ListableBeanFactory beans, Supplier<String> traceIds, String transactionManager) {
		return JDBC_PRESENT ? Jdbc.forStore(store, decorated, beans, traceIds, transactionManager) : null;
	}

	/**
	 * Why {@link #forStore} found nothing, for the start-up failure.
	 * @param store the store
	 * @param beans the bean factory
	 * @param transactionManager the name of the transaction manager bean asked for, or null
	 * @return the reason
	 */
	static String whyNot(IdempotencyStore store, ListableBeanFactory beans, String transactionManager) {
		if (!JDBC_PRESENT || !Jdbc.isJdbc(store)) {
			return "the store is '" + store.type() + "', not the JDBC store (idempotent.store.type=jdbc)";
		}
		List<String> candidates = Arrays.asList(beans.getBeanNamesForType(PlatformTransactionManager.class));
		if (transactionManager != null) {
			return "idempotent.store.jdbc.transaction-manager names '" + transactionManager + "', which is not a "
					+ "PlatformTransactionManager bean; the candidates are " + candidates;
		}
		if (candidates.isEmpty()) {
			return "no PlatformTransactionManager bean exists";
		}
		return "there are " + candidates.size() + " PlatformTransactionManager beans " + candidates + " and none is "
				+ "primary; name the one for the store's DataSource with idempotent.store.jdbc.transaction-manager";
	}

	/** Touched only when spring-jdbc (hence spring-tx) is on the classpath. */
	private static final class Jdbc {

		static boolean isJdbc(IdempotencyStore store) {
			return store instanceof JdbcIdempotencyStore;
		}

		static TransactionalCompletion forStore(IdempotencyStore store, IdempotencyStore decorated,
				ListableBeanFactory beans, Supplier<String> traceIds, String transactionManager) {
			if (!(store instanceof JdbcIdempotencyStore jdbc)) {
				return null;
			}
			PlatformTransactionManager transactions;
			if (transactionManager != null) {
				transactions = beans.containsBean(transactionManager)
						&& beans.isTypeMatch(transactionManager, PlatformTransactionManager.class)
								? beans.getBean(transactionManager, PlatformTransactionManager.class) : null;
			}
			else {
				transactions = beans.getBeanProvider(PlatformTransactionManager.class).getIfUnique();
			}
			return (transactions != null) ? new JdbcTransactionalCompletion(jdbc, transactions, traceIds,
					decorated) : null;
		}

	}

}
