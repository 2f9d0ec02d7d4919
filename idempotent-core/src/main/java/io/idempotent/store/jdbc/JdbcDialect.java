package io.idempotent.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL that differs between the supported databases, kept small and explicit. Every time comparison uses
 * the database's clock, never the application's, so hosts with skewed clocks agree, and never a session time
 * zone: PostgreSQL and H2 compare {@code TIMESTAMP WITH TIME ZONE}, MySQL/MariaDB compare UTC
 * ({@code UTC_TIMESTAMP(3)}) in a {@code DATETIME(3)}.
 */
public enum JdbcDialect {

	/**
	 * PostgreSQL: the claim is one statement, {@code INSERT ... ON CONFLICT DO NOTHING}, that also returns the
	 * existing record when it did not insert, so a duplicate costs one round trip and takes no row lock. An
	 * expired record is then taken over by a conditional update. Writes return the fence with
	 * {@code RETURNING}.
	 */
	POSTGRESQL("postgresql", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '1 millisecond'",
			"CAST(EXTRACT(EPOCH FROM (expires_at - CURRENT_TIMESTAMP)) * 1000 AS BIGINT)",
			"CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT)") {

		@Override
		String claimSql(String table) {
			return "WITH claim AS (" + insertSql(table) + " ON CONFLICT (operation_name, record_key) DO NOTHING "
					+ "RETURNING fence) SELECT 'ACQUIRED' AS state, CAST(NULL AS BYTEA) AS result_data, "
					+ "CAST(NULL AS BYTEA) AS fingerprint, CAST(1 AS BIGINT) AS remaining, fence FROM claim UNION ALL "
					+ "SELECT state, result_data, fingerprint, " + millisRemaining() + ", fence FROM " + table
					+ " WHERE operation_name = ? AND record_key = ? AND NOT EXISTS (SELECT 1 FROM claim)";
		}

		@Override
		boolean claimReturnsRecord() {
			return true;
		}

		@Override
		String returningFence(String dml) {
			return dml + " RETURNING fence";
		}

		@Override
		String purgeSql(String table) {
			return "DELETE FROM " + table + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + table + " WHERE expires_at < "
					+ now() + " LIMIT ?))";
		}

	},

	/**
	 * MySQL and MariaDB, the server told apart from the JDBC metadata ({@link #supportsInsertReturning}):
	 * <ul>
	 * <li><b>MariaDB 10.5 and later</b>: the claim is one statement, {@code INSERT ... ON DUPLICATE KEY UPDATE
	 * state = state RETURNING ...}: it inserts the claim, or (a no-op update of the existing row) returns that
	 * row, so a duplicate costs one round trip like on PostgreSQL. The returned owner token tells the two
	 * apart. The no-op update takes the existing row's lock for the statement (it auto-commits at once).</li>
	 * <li><b>MySQL (8 has no {@code RETURNING}) and MariaDB before 10.5</b>: a plain {@code INSERT} (a duplicate
	 * key is an expected outcome; {@code INSERT IGNORE} would also turn truncation and other errors into
	 * warnings), then, on a duplicate, a read: two round trips.</li>
	 * </ul>
	 * Both then take an expired record over with a conditional update. Writes hand the fence back through
	 * {@code LAST_INSERT_ID(expr)}, the generated key of the statement, so they need no extra round trip.
	 */
	MYSQL("mysql", "UTC_TIMESTAMP(3)", "TIMESTAMPADD(MICROSECOND, ? * 1000, UTC_TIMESTAMP(3))",
			"TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), expires_at) DIV 1000",
			"TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))") {

		@Override
		String fence(String expression) {
			return "LAST_INSERT_ID(" + expression + ")";
		}

		@Override
		Long writeReturningFence(Connection connection, String sql, Object... args) throws SQLException {
			try (PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
				JdbcStatements.bind(statement, args);
				if (statement.executeUpdate() != 1) {
					return null;
				}
				try (ResultSet keys = statement.getGeneratedKeys()) {
					return keys.next() ? keys.getLong(1) : null;
				}
			}
		}

		@Override
		String claimReturningSql(String table) {
			return "INSERT INTO " + table + " (operation_name, record_key, state, owner_token, fence, fingerprint, "
					+ "expires_at, created_at) VALUES (?, ?, 'PROCESSING', ?, " + nowMicros() + ", ?, " + nowPlusMillis()
					+ ", " + now() + ") ON DUPLICATE KEY UPDATE state = state RETURNING state, owner_token, result_data, "
					+ "fingerprint, " + millisRemaining() + " AS remaining, fence";
		}

	},

	/**
	 * H2: a plain insert (a duplicate key is an expected outcome), then a read, then a conditional update. Writes
	 * return the fence with {@code SELECT fence FROM FINAL TABLE (...)}. Durations are computed from
	 * {@code EXTRACT(EPOCH ...)}: H2's {@code DATEDIFF} compares the local fields of two timestamps with different
	 * offsets, so it is wrong by the offset between the writer's and the reader's session time zones.
	 */
	H2("h2", "CURRENT_TIMESTAMP", "DATEADD(MILLISECOND, CAST(? AS BIGINT), CURRENT_TIMESTAMP)",
			"CAST((EXTRACT(EPOCH FROM expires_at) - EXTRACT(EPOCH FROM CURRENT_TIMESTAMP)) * 1000 AS BIGINT)",
			"CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT)") {

		@Override
		String returningFence(String dml) {
			return "SELECT fence FROM FINAL TABLE (" + dml + ")";
		}

		/** The standard {@code FETCH FIRST}: H2 accepts {@code DELETE ... LIMIT} only in some compatibility modes. */
		@Override
		String purgeSql(String table) {
			return "DELETE FROM " + table + " WHERE expires_at < " + now() + " FETCH FIRST ? ROWS ONLY";
		}

	};

	private static final Pattern MARIADB_VERSION = Pattern.compile("(?:5\\.5\\.5-)?(\\d+)\\.(\\d+)");

	private final String platform;

	private final String now;

	private final String nowPlusMillis;

	private final String millisRemaining;

	private final String nowMicros;

	JdbcDialect(String platform, String now, String nowPlusMillis, String millisRemaining, String nowMicros) {
		this.platform = platform;
		this.now = now;
		this.nowPlusMillis = nowPlusMillis;
		this.millisRemaining = millisRemaining;
		this.nowMicros = nowMicros;
	}

	/**
	 * The dialect of a data source's database, read from its JDBC metadata.
	 * @param dataSource the data source
	 * @return the dialect
	 * @throws io.idempotent.store.IdempotencyStoreException when the metadata cannot be read
	 * @throws IllegalStateException for an unsupported database
	 */
	public static JdbcDialect of(javax.sql.DataSource dataSource) {
		try {
			return forProductName(org.springframework.jdbc.support.JdbcUtils.extractDatabaseMetaData(dataSource,
					java.sql.DatabaseMetaData::getDatabaseProductName));
		}
		catch (org.springframework.jdbc.support.MetaDataAccessException ex) {
			throw new io.idempotent.store.IdempotencyStoreException(
					"Cannot read the database's product name to pick an SQL dialect", ex);
		}
	}

	/**
	 * The dialect of a database, from its JDBC product name.
	 * @param productName {@link java.sql.DatabaseMetaData#getDatabaseProductName()}
	 * @return the dialect
	 * @throws IllegalStateException for an unsupported database
	 */
	public static JdbcDialect forProductName(String productName) {
		String name = productName.toLowerCase(Locale.ROOT);
		if (name.contains("postgres")) {
			return POSTGRESQL;
		}
		if (name.contains("mysql") || name.contains("mariadb")) {
			return MYSQL;
		}
		if (name.equals("h2")) {
			return H2;
		}
		throw new IllegalStateException("The JDBC idempotency store supports PostgreSQL, MySQL, MariaDB and H2, not "
				+ productName);
	}

	/**
	 * The platform name in the shipped script names: {@code schema-<platform>.sql}.
	 * @return the platform
	 */
	public String platform() {
		return this.platform;
	}

	/**
	 * Where the shipped schema for this database is.
	 * @return a classpath location
	 */
	public String schemaLocation() {
		return "classpath:io/idempotent/store/jdbc/schema-" + this.platform + ".sql";
	}

	/**
	 * Where the shipped drop script for this database is.
	 * @return a classpath location
	 */
	public String dropLocation() {
		return "classpath:io/idempotent/store/jdbc/drop-" + this.platform + ".sql";
	}

	String now() {
		return this.now;
	}

	String nowPlusMillis() {
		return this.nowPlusMillis;
	}

	String millisRemaining() {
		return this.millisRemaining;
	}

	/**
	 * The database clock in microseconds since the epoch (UTC), the floor of every new fence.
	 * @return an SQL expression
	 */
	String nowMicros() {
		return this.nowMicros;
	}

	/**
	 * The claim: for {@link #claimReturnsRecord()} dialects a query answering ACQUIRED or the existing record,
	 * else an insert whose fence {@link #writeReturningFence} reads back.
	 * @param table the table
	 * @return the SQL; parameters name, key, token, fingerprint, lease millis (then name, key again for queries)
	 */
	String claimSql(String table) {
		return returningFence(insertSql(table));
	}

	String insertSql(String table) {
		return "INSERT INTO " + table + " (operation_name, record_key, state, owner_token, fence, fingerprint, "
				+ "expires_at, created_at) VALUES (?, ?, 'PROCESSING', ?, " + fence(nowMicros()) + ", ?, "
				+ nowPlusMillis() + ", " + now() + ")";
	}

	/**
	 * Wraps the fence expression of a write so {@link #writeReturningFence} can read it back.
	 * @param expression the fence expression
	 * @return the SQL expression to write
	 */
	String fence(String expression) {
		return expression;
	}

	/**
	 * Turns an insert or update into a statement whose fence {@link #writeReturningFence} can read.
	 * @param dml the insert or update
	 * @return the SQL to run
	 */
	String returningFence(String dml) {
		return dml;
	}

	/**
	 * Runs a write built by {@link #returningFence} and returns the fence it wrote.
	 * @param connection the connection
	 * @param sql the statement
	 * @param args its parameters
	 * @return the fence, or null when no row was written
	 * @throws SQLException as the driver throws it
	 */
	Long writeReturningFence(Connection connection, String sql, Object... args) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			JdbcStatements.bind(statement, args);
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? rs.getLong(1) : null;
			}
		}
	}

	/**
	 * The one-statement claim of servers that {@link #supportsInsertReturning support it}: inserts the claim or
	 * returns the existing row (state, owner_token, result_data, fingerprint, remaining, fence).
	 * @param table the table
	 * @return the SQL; parameters name, key, token, fingerprint, lease millis
	 * @throws UnsupportedOperationException for dialects without one
	 */
	String claimReturningSql(String table) {
		throw new UnsupportedOperationException(name() + " has no INSERT ... RETURNING claim");
	}

	/**
	 * Whether this dialect's server, as its JDBC metadata names it, takes the one-statement claim
	 * {@link #claimReturningSql}: MariaDB 10.5 and later ({@code INSERT ... RETURNING}); not MySQL, which has no
	 * {@code RETURNING}, nor PostgreSQL and H2, whose claims are built otherwise.
	 * @param productName {@link java.sql.DatabaseMetaData#getDatabaseProductName()}
	 * @param productVersion {@link java.sql.DatabaseMetaData#getDatabaseProductVersion()}
	 * @return true for MariaDB 10.5 or later
	 */
	boolean supportsInsertReturning(String productName, String productVersion) {
		if (this != MYSQL || productVersion == null) {
			return false;
		}
		boolean mariaDb = (productName != null && productName.toLowerCase(Locale.ROOT).contains("mariadb"))
				|| productVersion.toLowerCase(Locale.ROOT).contains("mariadb");
		if (!mariaDb) {
			return false;
		}
		// MySQL's Connector/J can show MariaDB 10.x as "5.5.5-10.x.y-MariaDB" (the replication-era prefix)
		Matcher version = MARIADB_VERSION.matcher(productVersion);
		if (!version.lookingAt()) {
			return false;
		}
		int major = Integer.parseInt(version.group(1));
		int minor = Integer.parseInt(version.group(2));
		return major > 10 || (major == 10 && minor >= 5);
	}

	/**
	 * Whether {@link #claimSql} is a query answering ACQUIRED or the existing record (state, result_data,
	 * fingerprint, remaining, fence), rather than an insert.
	 * @return true for a one-round-trip claim
	 */
	boolean claimReturnsRecord() {
		return false;
	}

	String purgeSql(String table) {
		return "DELETE FROM " + table + " WHERE expires_at < " + now() + " LIMIT ?";
	}

	/**
	 * Counts rows that expired and are still in the table: what the purge has not caught up with yet.
	 * @param table the table
	 * @return the SQL
	 */
	String countExpiredSql(String table) {
		return "SELECT COUNT(*) FROM " + table + " WHERE expires_at < " + now();
	}

}
