package io.idempotent.store.jdbc;

import java.util.Locale;

/**
 * The SQL that differs between the supported databases, kept small and explicit. Every time comparison uses
 * the database's clock, never the application's, so hosts with skewed clocks agree.
 */
public enum JdbcDialect {

	/**
	 * PostgreSQL: the claim is one statement, {@code INSERT ... ON CONFLICT DO NOTHING}, that also returns the
	 * existing record when it did not insert, so a duplicate costs one round trip and takes no row lock. An
	 * expired record is then taken over by a conditional update.
	 */
	POSTGRESQL("postgresql", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '1 millisecond'",
			"CAST(EXTRACT(EPOCH FROM (expires_at - CURRENT_TIMESTAMP)) * 1000 AS BIGINT)") {

		@Override
		String claimSql(String table) {
			return "WITH claim AS (" + insertSql("INSERT INTO ", table) + " "
					+ "ON CONFLICT (operation_name, record_key) DO NOTHING RETURNING owner_token) "
					+ "SELECT 'ACQUIRED' AS state, CAST(NULL AS BYTEA) AS result_data, CAST(1 AS BIGINT) AS remaining "
					+ "FROM claim UNION ALL SELECT state, result_data, " + millisRemaining() + " FROM " + table
					+ " WHERE operation_name = ? AND record_key = ? AND NOT EXISTS (SELECT 1 FROM claim)";
		}

		@Override
		boolean claimReturnsRecord() {
			return true;
		}

		@Override
		String purgeSql(String table) {
			return "DELETE FROM " + table + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + table + " WHERE expires_at < "
					+ now() + " LIMIT ?))";
		}

	},

	/** MySQL and MariaDB: {@code INSERT IGNORE}, then a read, then a conditional update of an expired record. */
	MYSQL("mysql", "CURRENT_TIMESTAMP(3)", "TIMESTAMPADD(MICROSECOND, ? * 1000, CURRENT_TIMESTAMP(3))",
			"TIMESTAMPDIFF(MICROSECOND, CURRENT_TIMESTAMP(3), expires_at) DIV 1000") {

		@Override
		String claimSql(String table) {
			return insertSql("INSERT IGNORE INTO ", table);
		}

	},

	/** H2: a plain insert (a duplicate key is an expected outcome), then a read, then a conditional update. */
	H2("h2", "CURRENT_TIMESTAMP", "DATEADD(MILLISECOND, CAST(? AS BIGINT), CURRENT_TIMESTAMP)",
			"DATEDIFF(MILLISECOND, CURRENT_TIMESTAMP, expires_at)") {

		@Override
		String claimSql(String table) {
			return insertSql("INSERT INTO ", table);
		}

	};

	private final String platform;

	private final String now;

	private final String nowPlusMillis;

	private final String millisRemaining;

	JdbcDialect(String platform, String now, String nowPlusMillis, String millisRemaining) {
		this.platform = platform;
		this.now = now;
		this.nowPlusMillis = nowPlusMillis;
		this.millisRemaining = millisRemaining;
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

	abstract String claimSql(String table);

	String insertSql(String insert, String table) {
		return insert + table + " (operation_name, record_key, state, owner_token, expires_at, created_at) "
				+ "VALUES (?, ?, 'PROCESSING', ?, " + nowPlusMillis() + ", " + now() + ")";
	}

	/**
	 * Whether {@link #claimSql} is a query answering ACQUIRED or the existing record (state, result_data,
	 * remaining), rather than an insert counted by its update count.
	 * @return true for a one-round-trip claim
	 */
	boolean claimReturnsRecord() {
		return false;
	}

	String purgeSql(String table) {
		return "DELETE FROM " + table + " WHERE expires_at < " + now() + " LIMIT ?";
	}

}
