package io.idempotent.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes every statement of the JDBC store commit on its own, whatever the pool's auto-commit setting and
 * whatever transaction the caller has open. Inside a caller's transaction (synchronization active, or the
 * data source bound to one) a statement runs in a new transaction on the store's data source
 * ({@code PROPAGATION_REQUIRES_NEW}: the caller's is suspended, never joined). Otherwise it runs on a fresh
 * pooled connection, as is when that connection auto-commits (no extra round trip), followed by an explicit
 * commit when the pool hands out connections with auto-commit off.
 *
 * <p>The store's own transitions go through {@link #runOnConnection}: plain JDBC on the connection, no
 * {@link JdbcTemplate} proxy, no resource binding and no parameter-type lookups per call (the hot path);
 * {@link SQLException}s are translated as {@link JdbcTemplate} would.
 */
final class OwnTransactions {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate requiresNew;

	OwnTransactions(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.requiresNew = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
		this.requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/**
	 * New transactions on the store's data source, for work that must always be a transaction of its own.
	 * @return the template
	 */
	TransactionTemplate requiresNew() {
		return this.requiresNew;
	}

	/** Work on one JDBC connection. */
	@FunctionalInterface
	interface ConnectionWork<T> {

		T apply(Connection connection) throws SQLException;

	}

	/**
	 * Runs one statement with plain JDBC so that it commits on its own: inside a caller's transaction in a new
	 * one ({@code REQUIRES_NEW}), otherwise on a pooled connection of its own, committed explicitly when the pool
	 * hands out connections with auto-commit off.
	 * @param task what the statement does, for exception messages
	 * @param sql the statement, for exception messages
	 * @param work the statement
	 * @param <T> its result type
	 * @return its result
	 * @throws DataAccessException translated as {@link JdbcTemplate} translates it
	 */
	<T> T runOnConnection(String task, String sql, ConnectionWork<T> work) {
		DataSource dataSource = this.jdbc.getDataSource();
		if (TransactionSynchronizationManager.isSynchronizationActive()
				|| TransactionSynchronizationManager.hasResource(dataSource)) {
			return inNewTransaction(dataSource, () -> {
				Connection connection = DataSourceUtils.getConnection(dataSource);
				try {
					return work.apply(connection);
				}
				catch (SQLException ex) {
					throw translate(task, sql, ex);
				}
				finally {
					DataSourceUtils.releaseConnection(connection, dataSource);
				}
			});
		}
		Connection connection;
		try {
			connection = dataSource.getConnection();
		}
		catch (SQLException ex) {
			throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", ex);
		}
		try {
			if (connection.getAutoCommit()) {
				return work.apply(connection);
			}
			try {
				T result = work.apply(connection);
				connection.commit();
				return result;
			}
			catch (SQLException | RuntimeException | Error ex) {
				try {
					connection.rollback();
				}
				catch (SQLException rollbackFailure) {
					ex.addSuppressed(rollbackFailure);
				}
				throw ex;
			}
		}
		catch (SQLException ex) {
			throw translate(task, sql, ex);
		}
		finally {
			DataSourceUtils.releaseConnection(connection, null);
		}
	}

	/**
	 * Runs work in a new transaction on the store's data source, the caller's suspended. A connection bound by
	 * another kind of transaction (JpaTransactionManager binds its JDBC connection without marking it active or
	 * synchronized) looks to DataSourceTransactionManager like no transaction at all, and a free connection to
	 * begin on: REQUIRES_NEW would then run on that very connection and commit the caller's work so far. So it is
	 * set aside while the work runs in a transaction of its own on a fresh connection, then bound again.
	 */
	private <T> T inNewTransaction(DataSource dataSource, Supplier<T> work) {
		Object foreign = (TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder holder
				&& !holder.isSynchronizedWithTransaction()) ? TransactionSynchronizationManager.unbindResource(dataSource)
						: null;
		try {
			return this.requiresNew.execute((status) -> work.get());
		}
		finally {
			if (foreign != null) {
				TransactionSynchronizationManager.bindResource(dataSource, foreign);
			}
		}
	}

	private DataAccessException translate(String task, String sql, SQLException ex) {
		DataAccessException translated = this.jdbc.getExceptionTranslator().translate(task, sql, ex);
		return (translated != null) ? translated : new UncategorizedSQLException(task, sql, ex);
	}

	/**
	 * Runs one statement, made through the store's {@link JdbcTemplate}, so that it commits on its own.
	 * @param work the statement
	 * @param <T> its result type
	 * @return its result
	 */
	<T> T run(Supplier<T> work) {
		DataSource dataSource = this.jdbc.getDataSource();
		if (TransactionSynchronizationManager.isSynchronizationActive()
				|| TransactionSynchronizationManager.hasResource(dataSource)) {
			return inNewTransaction(dataSource, work);
		}
		return this.jdbc.execute((ConnectionCallback<T>) (connection) -> {
			// the statement's JdbcTemplate call picks this connection up, as inside a transaction
			TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(connection));
			try {
				if (connection.getAutoCommit()) {
					return work.get();
				}
				try {
					T result = work.get();
					connection.commit();
					return result;
				}
				catch (RuntimeException | Error ex) {
					connection.rollback();
					throw ex;
				}
			}
			finally {
				TransactionSynchronizationManager.unbindResource(dataSource);
			}
		});
	}

}
