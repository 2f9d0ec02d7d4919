package io.idempotent.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.idempotent.store.IdempotencyKey;
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
 * <p>One row per record, primary key (operation name, key), both written as bytes ({@link StoredNames}): they
 * compare byte for byte whatever the database's collation, and names and keys of any length fit. A claim is an
 * insert: the primary key lets exactly one caller in; when it loses, the existing record is read (on
 * PostgreSQL and MariaDB 10.5+ in the same statement, see {@link JdbcDialect}; on PostgreSQL with a plain read
 * when that statement's snapshot missed a row committed meanwhile; on MySQL and H2 with a second statement). Taking over an expired record is a conditional update ({@code WHERE expires_at <= now}).
 * Complete, release and renew are conditional on the owner token (fencing). Expiry is judged by the database
 * clock, never a session time zone. Expired rows read as absent and are deleted by {@link #purgeExpired(int)}.
 *
 * <p><b>Transactions.</b> Every statement commits on its own, whatever the pool's auto-commit setting and
 * whatever transaction the caller has open: inside a caller's transaction it runs in a new transaction on this
 * store's {@link DataSource} ({@code PROPAGATION_REQUIRES_NEW}, the caller's is suspended, not joined);
 * otherwise on a fresh pooled connection, committed explicitly when the pool hands out connections with
 * auto-commit off. So a pool with auto-commit off cannot roll a claim back, and a claim is visible to other
 * instances (and to the keep-alive) as soon as it is made. Inside a caller's transaction a store call needs a
 * second pooled connection while the caller holds its own: size the pool for it.
 *
 * <p><b>Fence.</b> Each claim and takeover writes {@code fence = max(previous fence + 1, database clock in
 * microseconds)}. While the key's row lives (claims, takeovers and releases keep it; a release only ends the
 * lease) every claim's fence is strictly greater than every earlier one. Once the row is gone (purged after
 * it expired, or evicted) the next fence starts from the database clock, so it is still greater than the
 * earlier ones unless the database clock went back.
 *
 * <p><b>Fingerprint.</b> Stored with the claim, kept when the claim completes, returned with IN_PROGRESS and
 * COMPLETED in the same round trip; at most {@value #MAX_FINGERPRINT_BYTES} bytes.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

	/** Largest fingerprint stored with a claim. */
	public static final int MAX_FINGERPRINT_BYTES = 64;

	/**
	 * Longest table name (its unqualified part) accepted: the shipped scripts name constraints and indexes after
	 * it (longest: {@code <table>_expires_at_idx}), and those must fit PostgreSQL's 63 and MySQL's 64 characters
	 * (PostgreSQL truncates a longer one, which can then clash with the table's own name or be skipped by
	 * {@code IF NOT EXISTS}).
	 */
	public static final int MAX_TABLE_NAME_LENGTH = 48;

	private static final Pattern TABLE_NAME = Pattern
		.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0," + (MAX_TABLE_NAME_LENGTH - 1) + "}");

	private static final int CLAIM_ATTEMPTS = 10;

	private final JdbcTemplate jdbc;

	private final OwnTransactions ownTransactions;

	private final JdbcDialect dialect;

	private final String table;

	private final int maxResultSize;

	private final String claimSql;

	private final String claimReturningSql;

	private volatile Boolean insertReturning;

	private final String takeOverSql;

	private final String readSql;

	private final String completeSql;

	private final String releaseSql;

	private final String renewSql;

	private final String ownedSql;

	private final String evictSql;

	private final String purgeSql;

	/**
	 * Creates a store, detecting the dialect from the database.
	 * @param dataSource the data source holding the table
	 * @param table the table name (letters, digits and underscores, optionally schema-qualified)
	 * @param maxResultSize the largest result, in bytes, the store accepts
	 */
	public JdbcIdempotencyStore(DataSource dataSource, String table, int maxResultSize) {
		this(new JdbcTemplate(dataSource), JdbcDialect.of(dataSource), table, maxResultSize);
	}

	/**
	 * Creates a store for a known dialect.
	 * @param jdbc the template, on the data source holding the table
	 * @param dialect the database's dialect
	 * @param table the table name (letters, digits and underscores, optionally schema-qualified)
	 * @param maxResultSize the largest result, in bytes, the store accepts
	 */
	public JdbcIdempotencyStore(JdbcTemplate jdbc, JdbcDialect dialect, String table, int maxResultSize) {
		checkTableName(table);
		if (maxResultSize < 0) {
			throw new IllegalArgumentException("maxResultSize must not be negative");
		}
		this.jdbc = jdbc;
		this.ownTransactions = new OwnTransactions(jdbc);
		this.dialect = dialect;
		this.table = table;
		this.maxResultSize = maxResultSize;
		String key = " WHERE operation_name = ? AND record_key = ?";
		String owned = key + " AND owner_token = ? AND state = 'PROCESSING'";
		this.claimSql = dialect.claimSql(table);
		this.claimReturningSql = (dialect == JdbcDialect.MYSQL) ? dialect.claimReturningSql(table) : null;
		this.takeOverSql = dialect.returningFence("UPDATE " + table + " SET state = 'PROCESSING', owner_token = ?, "
				+ "fence = " + dialect.fence("GREATEST(fence + 1, " + dialect.nowMicros() + ")")
				+ ", fingerprint = ?, expires_at = " + dialect.nowPlusMillis() + ", result_data = NULL, created_at = "
				+ dialect.now() + key + " AND expires_at <= " + dialect.now());
		this.readSql = "SELECT state, result_data, fingerprint, " + dialect.millisRemaining()
				+ " AS remaining, fence FROM " + table + key;
		this.completeSql = "UPDATE " + table + " SET state = 'COMPLETED', result_data = ?, expires_at = "
				+ dialect.nowPlusMillis() + owned;
		this.releaseSql = "UPDATE " + table + " SET owner_token = NULL, expires_at = " + dialect.now() + owned;
		this.renewSql = "UPDATE " + table + " SET expires_at = " + dialect.nowPlusMillis() + owned;
		this.ownedSql = "SELECT owner_token FROM " + table + owned;
		this.evictSql = "DELETE FROM " + table + key + " AND expires_at > " + dialect.now();
		this.purgeSql = dialect.purgeSql(table);
	}

	/**
	 * Checks a configured table name before anything uses it.
	 * @param table the name
	 * @throws IllegalArgumentException saying what is accepted
	 */
	public static void checkTableName(String table) {
		if (table == null || !TABLE_NAME.matcher(table).matches()) {
			throw new IllegalArgumentException("Invalid idempotency table name '" + table + "': expected letters, "
					+ "digits and underscores (at most " + MAX_TABLE_NAME_LENGTH + " for the table, 63 for the schema), "
					+ "optionally qualified by a schema as schema.table");
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
	 * Fails fast when the table is missing or cannot keep the store's promises: see {@link JdbcSchemaCheck}.
	 * @throws IllegalStateException saying what is wrong and which shipped script creates a correct table
	 */
	public void verifySchema() {
		new JdbcSchemaCheck(this.jdbc, this.ownTransactions.requiresNew(), this.dialect, this.table, this.maxResultSize).verify();
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return tryAcquire(key, lease, null);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		if (fingerprint != null && fingerprint.length > MAX_FINGERPRINT_BYTES) {
			throw new IllegalArgumentException("A fingerprint holds at most " + MAX_FINGERPRINT_BYTES + " bytes, not "
					+ fingerprint.length);
		}
		Claim claim = new Claim(StoredNames.encode(key.name()), StoredNames.encode(key.value()), FencingTokens.next(),
				fingerprint, lease.toMillis());
		return run("claim", () -> {
			for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
				try {
					AcquireResult result = claimOnce(claim);
					if (result != null) {
						return result;
					}
				}
				catch (ConcurrencyFailureException ex) {
					if (attempt == CLAIM_ATTEMPTS) {
						throw ex;
					}
				}
			}
			// never answer IN_PROGRESS for a key we did not see held
			throw new IdempotencyStoreException("The idempotency record of '" + key.name() + "' kept disappearing "
					+ "during " + CLAIM_ATTEMPTS + " claim attempts (evicted or purged meanwhile)");
		});
	}

	/** One attempt; null when the record changed under us and the claim must be tried again. */
	private AcquireResult claimOnce(Claim claim) {
		List<Found> found;
		if (this.dialect.claimReturnsRecord()) {
			found = query("claim", this.claimSql, Found::all, claim.name, claim.key, claim.token, claim.fingerprint,
					claim.leaseMillis, claim.name, claim.key);
			if (found.isEmpty()) {
				// the conflicting row committed after this statement's snapshot: read it with a new one
				found = read(claim.name, claim.key);
			}
		}
		else if (claimsWithReturning()) {
			found = query("claim", this.claimReturningSql, (rows) -> Found.claimedOrExisting(rows, claim.token),
					claim.name, claim.key, claim.token, claim.fingerprint, claim.leaseMillis);
		}
		else {
			Long fence = insert(claim);
			if (fence != null) {
				return AcquireResult.acquired(claim.token, fence);
			}
			found = read(claim.name, claim.key);
		}
		if (found.isEmpty()) {
			return null; // deleted (evicted or purged) since our insert failed
		}
		Found record = found.get(0);
		if (record.acquired()) {
			return AcquireResult.acquired(claim.token, record.fence);
		}
		if (record.remaining > 0) {
			return "COMPLETED".equals(record.state) ? AcquireResult.completed(record.result, record.fingerprint)
					: AcquireResult.inProgress(record.fingerprint);
		}
		Long fence = this.ownTransactions.runOnConnection("take over", this.takeOverSql,
				(connection) -> this.dialect.writeReturningFence(connection, this.takeOverSql, claim.token,
						claim.fingerprint, claim.leaseMillis, claim.name, claim.key));
		return (fence != null) ? AcquireResult.acquired(claim.token, fence) : null;
	}

	/**
	 * Whether claims take the one-statement {@code INSERT ... RETURNING} form: MariaDB 10.5 and later, read from
	 * the JDBC metadata at the first claim (see {@link JdbcDialect#MYSQL}).
	 */
	private boolean claimsWithReturning() {
		Boolean known = this.insertReturning;
		if (known == null) {
			known = this.dialect == JdbcDialect.MYSQL && Boolean.TRUE.equals(this.jdbc.execute(
					(ConnectionCallback<Boolean>) (connection) -> this.dialect.supportsInsertReturning(
							connection.getMetaData().getDatabaseProductName(),
							connection.getMetaData().getDatabaseProductVersion())));
			this.insertReturning = known;
		}
		return known;
	}

	/**
	 * Overrides the claim form read from the metadata, for tests: false runs MariaDB on the two-statement claim
	 * MySQL takes.
	 * @param insertReturning whether to claim with {@code INSERT ... RETURNING} (MySQL dialect only)
	 * @return this store
	 */
	JdbcIdempotencyStore claimWithInsertReturning(boolean insertReturning) {
		this.insertReturning = insertReturning && this.dialect == JdbcDialect.MYSQL;
		return this;
	}

	/**
	 * Whether claims on this database take one round trip whatever they find (PostgreSQL, MariaDB 10.5 and
	 * later) rather than an insert followed by a read on a duplicate (MySQL, older MariaDB, H2).
	 * @return true when a duplicate costs one round trip
	 */
	public boolean claimsInOneRoundTrip() {
		return run("claim", () -> this.dialect.claimReturnsRecord() || claimsWithReturning());
	}

	private Long insert(Claim claim) {
		try {
			return this.ownTransactions.runOnConnection("claim", this.claimSql,
					(connection) -> this.dialect.writeReturningFence(connection, this.claimSql, claim.name, claim.key,
							claim.token, claim.fingerprint, claim.leaseMillis));
		}
		catch (DuplicateKeyException ex) {
			return null;
		}
	}

	private List<Found> read(byte[] name, byte[] key) {
		return query("read", this.readSql, Found::all, name, key);
	}

	private <T> T query(String task, String sql, Rows<T> rows, Object... args) {
		return this.ownTransactions.runOnConnection(task, sql, (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				JdbcStatements.bind(statement, args);
				try (ResultSet resultSet = statement.executeQuery()) {
					return rows.read(resultSet);
				}
			}
		});
	}

	private int update(String task, String sql, Object... args) {
		return this.ownTransactions.runOnConnection(task, sql, (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				JdbcStatements.bind(statement, args);
				return statement.executeUpdate();
			}
		});
	}

	@Override
	public int maxResultSize() {
		return this.maxResultSize;
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (result.length > this.maxResultSize) {
			throw new IdempotencyStoreException("A result of " + result.length + " bytes of '" + key.name()
					+ "' is over the JDBC store's limit of " + this.maxResultSize
					+ " bytes (idempotent.store.max-result-size); check maxResultSize() before completing");
		}
		return run("complete", () -> update("complete", this.completeSql, result, retention.toMillis(),
				StoredNames.encode(key.name()), StoredNames.encode(key.value()), token) == 1);
	}

	/**
	 * Completes the key like {@link #complete}, but as a statement of the transaction the calling thread holds
	 * on this store's {@link DataSource} (never a transaction of its own): it commits or rolls back with that
	 * transaction. The updated row stays locked until then, so nobody can take the key over meanwhile.
	 * @param key the key
	 * @param token the owner's token
	 * @param result the stored result (at most {@link #maxResultSize()} bytes)
	 * @param retention how long the completed record is kept
	 * @return true when completed; false when the token no longer owns the key (fenced out)
	 * @throws IllegalStateException when the thread holds no transaction on this store's DataSource
	 */
	@Override
	public boolean completeInCurrentTransaction(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (!TransactionSynchronizationManager.hasResource(dataSource())) {
			throw new IllegalStateException("No transaction is bound to the idempotency store's DataSource on this "
					+ "thread; the completion of '" + key.name() + "' cannot commit with the call's writes");
		}
		return run("complete", () -> this.jdbc.update(this.completeSql, result, retention.toMillis(),
				StoredNames.encode(key.name()), StoredNames.encode(key.value()), token) == 1);
	}

	/**
	 * The data source holding the table.
	 * @return the data source
	 */
	public DataSource dataSource() {
		return this.jdbc.getDataSource();
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return run("release", () -> update("release", this.releaseSql, StoredNames.encode(key.name()),
				StoredNames.encode(key.value()), token) == 1);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		byte[] name = StoredNames.encode(key.name());
		byte[] value = StoredNames.encode(key.value());
		return run("renew", () -> {
			if (update("renew", this.renewSql, lease.toMillis(), name, value, token) == 1) {
				return true;
			}
			// MySQL / MariaDB with useAffectedRows=true count a row the update left as it was (renewed twice in
			// the same millisecond, or right after the claim) as unchanged: 0. Still ours, then still renewed.
			return query("renew", this.ownedSql, ResultSet::next, name, value, token);
		});
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		List<Found> found = run("find", () -> read(StoredNames.encode(key.name()), StoredNames.encode(key.value())));
		return found.stream()
			.filter((record) -> record.remaining > 0)
			.map((record) -> new IdempotencyRecord(RecordState.valueOf(record.state),
					Instant.now().plusMillis(record.remaining), (record.result != null) ? record.result.length : 0))
			.findFirst();
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return run("evict", () -> update("evict", this.evictSql, StoredNames.encode(key.name()),
				StoredNames.encode(key.value())) > 0);
	}

	/**
	 * Deletes expired records until none is left, in batches of at most {@code batchSize} rows, each a short
	 * statement and transaction of its own, so the table is never locked for long and the purge keeps up with
	 * any steady insert rate the store itself can take.
	 * @param batchSize rows per statement
	 * @return how many rows were deleted
	 */
	public long purgeExpired(int batchSize) {
		return purgeExpired(batchSize, Integer.MAX_VALUE);
	}

	/**
	 * Deletes expired records in batches, each its own short statement and transaction.
	 * @param batchSize rows per statement
	 * @param maxBatches the most statements one call runs
	 * @return how many rows were deleted
	 */
	public long purgeExpired(int batchSize, int maxBatches) {
		return run("purge", () -> {
			long total = 0;
			for (int batch = 0; batch < maxBatches; batch++) {
				int deleted = inTransaction(() -> this.jdbc.update(this.purgeSql, batchSize));
				total += deleted;
				if (deleted < batchSize) {
					break;
				}
			}
			return total;
		});
	}

	/**
	 * Counts the rows that expired but are still in the table: how far the purge is behind.
	 * @return the count
	 */
	public long countExpired() {
		Long count = run("count expired",
				() -> inTransaction(() -> this.jdbc.queryForObject(this.dialect.countExpiredSql(this.table), Long.class)));
		return (count != null) ? count : 0;
	}

	@Override
	public String type() {
		return "jdbc";
	}

	private <T> T inTransaction(Supplier<T> work) {
		return this.ownTransactions.run(work);
	}

	private static <T> T run(String transition, Supplier<T> call) {
		try {
			return call.get();
		}
		catch (DataAccessException ex) {
			throw new IdempotencyStoreException("Database failed to " + transition + " an idempotency key: "
					+ ex.getMostSpecificCause().getMessage(), ex);
		}
		catch (org.springframework.transaction.TransactionException ex) {
			throw new IdempotencyStoreException("Database failed to " + transition + " an idempotency key: "
					+ ex.getMessage(), ex);
		}
	}

	private record Claim(byte[] name, byte[] key, String token, byte[] fingerprint, long leaseMillis) {
	}

	/** Reads a statement's rows. */
	@FunctionalInterface
	private interface Rows<T> {

		T read(ResultSet rows) throws SQLException;

	}

	private record Found(String state, byte[] result, byte[] fingerprint, long remaining, long fence) {

		static Found map(ResultSet rs) throws SQLException {
			return new Found(rs.getString("state"), rs.getBytes("result_data"), rs.getBytes("fingerprint"),
					rs.getLong("remaining"), rs.getLong("fence"));
		}

		static List<Found> all(ResultSet rs) throws SQLException {
			if (!rs.next()) {
				return List.of();
			}
			Found first = map(rs);
			if (!rs.next()) {
				return List.of(first);
			}
			List<Found> found = new ArrayList<>();
			found.add(first);
			do {
				found.add(map(rs));
			}
			while (rs.next());
			return found;
		}

		/** The row an {@code INSERT ... RETURNING} claim returned: ours (ACQUIRED) when it holds our token. */
		static List<Found> claimedOrExisting(ResultSet rs, String token) throws SQLException {
			if (!rs.next()) {
				return List.of();
			}
			String state = rs.getString("state");
			boolean ours = "PROCESSING".equals(state) && token.equals(rs.getString("owner_token"));
			return List.of(new Found(ours ? "ACQUIRED" : state, rs.getBytes("result_data"), rs.getBytes("fingerprint"),
					rs.getLong("remaining"), rs.getLong("fence")));
		}

		boolean acquired() {
			return "ACQUIRED".equals(this.state);
		}

	}

}
