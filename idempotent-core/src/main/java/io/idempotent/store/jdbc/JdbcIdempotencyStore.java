package io.idempotent.store.jdbc;

import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.FencingTokens;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.RecordState;

/**
 * A store in a relational table through {@link JdbcTemplate}: PostgreSQL, MySQL/MariaDB or H2, the dialect
 * picked from the JDBC metadata.
 *
 * <p>One row per record, primary key (operation name, key). A claim is an insert: the primary key lets exactly
 * one caller in; when it loses, the existing record is read (on PostgreSQL in the same statement). Taking over
 * an expired record is a conditional update ({@code WHERE expires_at <= now}). Complete, release and renew
 * are conditional on the owner token (fencing). Expiry is judged by the database clock. Expired rows read as
 * absent and are deleted by {@link #purgeExpired(int)} in bounded batches.
 *
 * <p>Each statement runs in its own (auto-committed) transaction unless the caller has a transaction open
 * on the same {@link DataSource}, in which case it joins it; the guard is ordered outside
 * {@code @Transactional} methods, so by default the claim is visible to other instances at once.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

	private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

	private static final int CLAIM_ATTEMPTS = 5;

	/** A record whose lease or retention ran out but that is still in the table. */
	private static final AcquireResult EXPIRED = AcquireResult.completed(new byte[0]); // a sentinel: compared by identity, never returned

	private final JdbcTemplate jdbc;

	private final JdbcDialect dialect;

	private final String table;

	private final int maxResultSize;

	private final String claimSql;

	private final String takeOverSql;

	private final String readSql;

	private final String completeSql;

	private final String releaseSql;

	private final String renewSql;

	private final String evictSql;

	private final String purgeSql;

	/**
	 * Creates a store, detecting the dialect from the database.
	 * @param dataSource the application's data source
	 * @param table the table name (letters, digits and underscores, optionally schema-qualified)
	 * @param maxResultSize the largest result, in bytes, the store accepts
	 */
	public JdbcIdempotencyStore(DataSource dataSource, String table, int maxResultSize) {
		this(new JdbcTemplate(dataSource), detect(dataSource), table, maxResultSize);
	}

	/**
	 * Creates a store for a known dialect.
	 * @param jdbc the template
	 * @param dialect the database's dialect
	 * @param table the table name
	 * @param maxResultSize the largest result, in bytes, the store accepts
	 */
	public JdbcIdempotencyStore(JdbcTemplate jdbc, JdbcDialect dialect, String table, int maxResultSize) {
		if (!TABLE_NAME.matcher(table).matches()) {
			throw new IllegalArgumentException("Invalid table name '" + table + "'");
		}
		this.jdbc = jdbc;
		this.dialect = dialect;
		this.table = table;
		this.maxResultSize = maxResultSize;
		String key = " WHERE operation_name = ? AND record_key = ?";
		String owned = key + " AND owner_token = ? AND state = 'PROCESSING'";
		this.claimSql = dialect.claimSql(table);
		this.takeOverSql = "UPDATE " + table + " SET state = 'PROCESSING', owner_token = ?, expires_at = "
				+ dialect.nowPlusMillis() + ", result_data = NULL, created_at = " + dialect.now() + key
				+ " AND expires_at <= " + dialect.now();
		this.readSql = "SELECT state, result_data, " + dialect.millisRemaining() + " AS remaining FROM " + table + key;
		this.completeSql = "UPDATE " + table + " SET state = 'COMPLETED', result_data = ?, expires_at = "
				+ dialect.nowPlusMillis() + owned;
		this.releaseSql = "DELETE FROM " + table + owned;
		this.renewSql = "UPDATE " + table + " SET expires_at = " + dialect.nowPlusMillis() + owned;
		this.evictSql = "DELETE FROM " + table + key;
		this.purgeSql = dialect.purgeSql(table);
	}

	private static JdbcDialect detect(DataSource dataSource) {
		try {
			String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
			return JdbcDialect.forProductName(product);
		}
		catch (org.springframework.jdbc.support.MetaDataAccessException ex) {
			throw new IdempotencyStoreException("Cannot read the database's product name to pick an SQL dialect", ex);
		}
	}

	/**
	 * The dialect in use.
	 * @return the dialect
	 */
	public JdbcDialect dialect() {
		return this.dialect;
	}

	/**
	 * The table in use.
	 * @return the table name
	 */
	public String table() {
		return this.table;
	}

	/**
	 * Fails fast when the table is missing, saying which shipped script creates it.
	 * @throws IllegalStateException when the table cannot be read
	 */
	public void verifySchema() {
		try {
			this.jdbc.queryForList("SELECT operation_name, record_key, state, owner_token, expires_at, created_at, "
					+ "result_data FROM " + this.table + " WHERE 1 = 0");
		}
		catch (DataAccessException ex) {
			throw new IllegalStateException("The idempotency table '" + this.table + "' is missing or incomplete. Create it "
					+ "with " + this.dialect.schemaLocation() + " (rename the table if you changed it), or set "
					+ "idempotent.store.jdbc.initialize-schema=always", ex);
		}
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		String token = FencingTokens.next();
		return run("claim", () -> {
			for (int attempt = 1;; attempt++) {
				try {
					AcquireResult result = claimOnce(key, token, lease);
					if (result != null && result != EXPIRED) {
						return result;
					}
				}
				catch (ConcurrencyFailureException ex) {
					if (attempt >= CLAIM_ATTEMPTS) {
						throw ex;
					}
				}
				if (attempt >= CLAIM_ATTEMPTS) {
					// the record kept changing under us: someone is working on this key
					return AcquireResult.inProgress();
				}
			}
		});
	}

	private AcquireResult claimOnce(IdempotencyKey key, String token, Duration lease) {
		List<AcquireResult> found;
		if (this.dialect.claimReturnsRecord()) {
			found = this.jdbc.query(this.claimSql, (rs, row) -> outcome(rs, token), key.name(), key.value(), token,
					lease.toMillis(), key.name(), key.value());
		}
		else if (insert(key, token, lease)) {
			return AcquireResult.acquired(token);
		}
		else {
			found = this.jdbc.query(this.readSql, (rs, row) -> outcome(rs, token), key.name(), key.value());
		}
		if (found.isEmpty()) {
			return null; // released or purged since our insert: try again
		}
		if (found.get(0) != EXPIRED) {
			return found.get(0);
		}
		boolean tookOver = this.jdbc.update(this.takeOverSql, token, lease.toMillis(), key.name(), key.value()) == 1;
		return tookOver ? AcquireResult.acquired(token) : null;
	}

	private static AcquireResult outcome(java.sql.ResultSet rs, String token) throws java.sql.SQLException {
		String state = rs.getString("state");
		if ("ACQUIRED".equals(state)) {
			return AcquireResult.acquired(token);
		}
		if (rs.getLong("remaining") <= 0) {
			return EXPIRED;
		}
		return "COMPLETED".equals(state) ? AcquireResult.completed(rs.getBytes("result_data"))
				: AcquireResult.inProgress();
	}

	private boolean insert(IdempotencyKey key, String token, Duration lease) {
		try {
			return this.jdbc.update(this.claimSql, key.name(), key.value(), token, lease.toMillis()) == 1;
		}
		catch (DuplicateKeyException ex) {
			return false;
		}
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (result.length > this.maxResultSize) {
			throw new IdempotencyStoreException("A result of " + result.length + " bytes of '" + key.name()
					+ "' is over the JDBC store's limit of " + this.maxResultSize
					+ " bytes; raise idempotent.store.jdbc.max-result-size");
		}
		return run("complete", () -> this.jdbc.update(this.completeSql, result, retention.toMillis(), key.name(),
				key.value(), token) == 1);
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return run("release", () -> this.jdbc.update(this.releaseSql, key.name(), key.value(), token) == 1);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return run("renew",
				() -> this.jdbc.update(this.renewSql, lease.toMillis(), key.name(), key.value(), token) == 1);
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		List<IdempotencyRecord> found = run("find", () -> this.jdbc.query(this.readSql, (rs, row) -> {
			long remaining = rs.getLong("remaining");
			byte[] result = rs.getBytes("result_data");
			RecordState state = RecordState.valueOf(rs.getString("state"));
			return (remaining > 0) ? new IdempotencyRecord(state, Instant.now().plusMillis(remaining),
					(result != null) ? result.length : 0) : null;
		}, key.name(), key.value()));
		return found.stream().filter(java.util.Objects::nonNull).findFirst();
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return run("evict", () -> this.jdbc.update(this.evictSql, key.name(), key.value()) > 0);
	}

	/**
	 * Deletes expired records in batches, each its own short statement, so the table is never locked for long.
	 * @param batchSize rows per statement
	 * @param maxBatches the most statements one call runs
	 * @return how many rows were deleted
	 */
	public int purgeExpired(int batchSize, int maxBatches) {
		return run("purge", () -> {
			int total = 0;
			for (int batch = 0; batch < maxBatches; batch++) {
				int deleted = this.jdbc.update(this.purgeSql, batchSize);
				total += deleted;
				if (deleted < batchSize) {
					break;
				}
			}
			return total;
		});
	}

	@Override
	public String type() {
		return "jdbc";
	}

	private static <T> T run(String transition, Supplier<T> call) {
		try {
			return call.get();
		}
		catch (DataAccessException ex) {
			throw new IdempotencyStoreException("Database failed to " + transition + " an idempotency key: "
					+ ex.getMostSpecificCause().getMessage(), ex);
		}
	}

}
