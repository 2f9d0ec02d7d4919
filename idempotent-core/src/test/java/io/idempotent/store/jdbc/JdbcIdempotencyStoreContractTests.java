package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.AcquireResult.Status;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.testsupport.TestDatabases;

/**
 * The store contract plus the JDBC store's own promises, run against one real database per subclass. The table
 * is created from the shipped schema script of the database's dialect.
 */
abstract class JdbcIdempotencyStoreContractTests extends IdempotencyStoreContractTests {

	static final int MAX_RESULT = 2 * 1024 * 1024;

	private static final Duration HALF_HOUR = Duration.ofMinutes(30);

	private JdbcIdempotencyStore store;

	protected abstract DataSource dataSource();

	protected abstract JdbcDialect expectedDialect();

	/**
	 * The statement that sets a session's time zone to a UTC offset.
	 * @param offset such as {@code +02:00}
	 * @return the SQL
	 */
	protected abstract String sessionTimeZoneSql(String offset);

	@BeforeAll
	void createTable() {
		JdbcDialect dialect = new JdbcIdempotencyStore(dataSource(), "idempotency_record", MAX_RESULT).dialect();
		assertThat(dialect).isEqualTo(expectedDialect());
		runScripts(dialect.dropLocation(), dialect.schemaLocation());
		this.store = configured(new JdbcIdempotencyStore(dataSource(), "idempotency_record", MAX_RESULT));
		this.store.verifySchema();
	}

	/**
	 * A store as this subclass runs it (e.g. on the claim form of another server of the same dialect).
	 * @param store the store
	 * @return it, configured
	 */
	protected JdbcIdempotencyStore configured(JdbcIdempotencyStore store) {
		return store;
	}

	/**
	 * Whether a duplicate's claim is one round trip on this database and store form.
	 * @return the expectation
	 */
	protected abstract boolean expectsOneRoundTripClaims();

	@Test
	void claimsTakeTheFormExpectedOfThisServer() {
		assertThat(this.store.claimsInOneRoundTrip()).isEqualTo(expectsOneRoundTripClaims());
	}

	private void runScripts(String... locations) {
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
		DefaultResourceLoader resources = new DefaultResourceLoader();
		for (String location : locations) {
			populator.addScript(resources.getResource(location));
		}
		populator.execute(dataSource());
	}

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

	JdbcIdempotencyStore jdbcStore() {
		return this.store;
	}

	@Override
	protected int expectedMaxResultSize() {
		return MAX_RESULT;
	}

	@Override
	protected void inOuterTransaction(Runnable work) {
		TransactionTemplate outer = new TransactionTemplate(new DataSourceTransactionManager(dataSource()));
		outer.executeWithoutResult((status) -> {
			new JdbcTemplate(dataSource()).queryForObject("SELECT COUNT(*) FROM idempotency_record", Long.class);
			work.run();
			status.setRollbackOnly();
		});
	}

	@Test
	void aPoolWithAutoCommitOffStillCommitsEveryTransition() {
		DataSource noAutoCommit = TestDatabases.variant(dataSource(), "no-auto-commit", (c) -> c.setAutoCommit(false));
		JdbcIdempotencyStore manual = configured(new JdbcIdempotencyStore(noAutoCommit, "idempotency_record", MAX_RESULT));
		IdempotencyKey key = newKey();
		AcquireResult claim = manual.tryAcquire(key, HALF_HOUR);
		assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
		assertThat(manual.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(this.store.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(manual.renew(key, claim.token(), HALF_HOUR)).isTrue();
		assertThat(manual.complete(key, claim.token(), new byte[] { 4 }, HALF_HOUR)).isTrue();
		assertThat(manual.tryAcquire(key, HALF_HOUR).result()).containsExactly(4);
		assertThat(this.store.tryAcquire(key, HALF_HOUR).result()).containsExactly(4);
	}

	@Test
	void manyThreadsRacingThroughAPoolWithAutoCommitOffYieldExactlyOneWinnerPerRound() throws Exception {
		DataSource noAutoCommit = TestDatabases.variant(dataSource(), "race-no-auto-commit",
				(c) -> c.setAutoCommit(false));
		JdbcIdempotencyStore manual = configured(new JdbcIdempotencyStore(noAutoCommit, "idempotency_record", MAX_RESULT));
		java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(64);
		try {
			for (int round = 0; round < 50; round++) {
				IdempotencyKey key = newKey();
				java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
				java.util.List<java.util.concurrent.Future<Status>> results = new java.util.ArrayList<>();
				for (int i = 0; i < 64; i++) {
					results.add(threads.submit(() -> {
						start.await();
						return manual.tryAcquire(key, HALF_HOUR).status();
					}));
				}
				start.countDown();
				int winners = 0;
				for (java.util.concurrent.Future<Status> result : results) {
					winners += (result.get(30, java.util.concurrent.TimeUnit.SECONDS) == Status.ACQUIRED) ? 1 : 0;
				}
				assertThat(winners).as("winners in round %d", round).isEqualTo(1);
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void expiryDoesNotDependOnTheSessionTimeZone() {
		JdbcIdempotencyStore utc = storeInTimeZone("+00:00");
		JdbcIdempotencyStore east = storeInTimeZone("+02:00");
		JdbcIdempotencyStore west = storeInTimeZone("-10:00");
		IdempotencyKey key = newKey();
		AcquireResult claim = utc.tryAcquire(key, HALF_HOUR);
		assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
		assertThat(east.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(west.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.IN_PROGRESS);
		for (JdbcIdempotencyStore session : new JdbcIdempotencyStore[] { utc, east, west }) {
			assertThat(session.find(key)).hasValueSatisfying((record) -> assertThat(record.expiresAt())
				.isBetween(Instant.now().plus(Duration.ofMinutes(29)), Instant.now().plus(Duration.ofMinutes(31))));
		}
		assertThat(east.complete(key, claim.token(), new byte[] { 1 }, HALF_HOUR)).isTrue();
		assertThat(west.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.COMPLETED);
		assertThat(utc.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.COMPLETED);
		west.purgeExpired(100);
		assertThat(utc.tryAcquire(key, HALF_HOUR).status()).isEqualTo(Status.COMPLETED);
	}

	private JdbcIdempotencyStore storeInTimeZone(String offset) {
		DataSource zoned = TestDatabases.variant(dataSource(), "tz" + offset,
				(config) -> config.setConnectionInitSql(sessionTimeZoneSql(offset)));
		return configured(new JdbcIdempotencyStore(zoned, "idempotency_record", MAX_RESULT));
	}

	@Test
	void aMissingTableFailsFastNamingTheScriptToRun() {
		JdbcIdempotencyStore missing = configured(new JdbcIdempotencyStore(dataSource(), "no_such_table", MAX_RESULT));
		assertThatThrownBy(missing::verifySchema).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'no_such_table'")
			.hasMessageContaining("schema-" + expectedDialect().platform() + ".sql");
	}

	@Test
	void aTableTooSmallForTheResultLimitFailsAtStartUp() {
		JdbcIdempotencyStore huge = configured(new JdbcIdempotencyStore(dataSource(), "idempotency_record", 64 * 1024 * 1024));
		if (expectedDialect() == JdbcDialect.MYSQL) {
			// MariaDB's max_allowed_packet (16 MiB here) cannot carry a 64 MiB result
			assertThatThrownBy(huge::verifySchema).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("max-result-size");
		}
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS narrow_records");
		for (String statement : JdbcSchemaScripts.renamed(expectedDialect().schemaLocation(), "narrow_records")
			.replace("(200)", "(100)")
			.replace("BYTEA        NOT NULL", "VARCHAR(100) NOT NULL")
			.replaceAll("(?m)^--.*$", "")
			.split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
		JdbcIdempotencyStore narrow = configured(new JdbcIdempotencyStore(dataSource(), "narrow_records", MAX_RESULT));
		assertThatThrownBy(narrow::verifySchema).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'narrow_records'")
			.hasMessageContaining("schema-" + expectedDialect().platform() + ".sql");
	}

	@Test
	void purgeDeletesOnlyExpiredRowsUntilNoneIsLeft() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		this.store.purgeExpired(1000);
		String name = "purge-" + System.nanoTime();
		for (int i = 0; i < 25; i++) {
			IdempotencyKey key = new IdempotencyKey(name, "expired-" + i);
			this.store.complete(key, this.store.tryAcquire(key, Duration.ofMinutes(1)).token(), new byte[] { 1 },
					Duration.ofMillis(1));
		}
		IdempotencyKey live = new IdempotencyKey(name, "live");
		this.store.tryAcquire(live, Duration.ofMinutes(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.store.countExpired() >= 25);
		assertThat(this.store.purgeExpired(10, 1)).isEqualTo(10);
		assertThat(this.store.purgeExpired(10)).isGreaterThanOrEqualTo(15);
		assertThat(this.store.countExpired()).isZero();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM idempotency_record", Integer.class)).isPositive();
		assertThat(this.store.find(live)).isPresent();
	}

	@Test
	void purgeKeepsUpWithThousandsOfExpiredRowsInOneRun() {
		this.store.purgeExpired(1000);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		String name = "bulk-" + System.nanoTime();
		jdbc.batchUpdate("INSERT INTO idempotency_record (operation_name, record_key, state, owner_token, fence, "
				+ "expires_at, created_at) VALUES (?, ?, 'COMPLETED', 't', 1, " + expectedDialect().now() + ", "
				+ expectedDialect().now() + ")", java.util.stream.IntStream.range(0, 5_000)
					.mapToObj((i) -> new Object[] { StoredNames.encode(name), StoredNames.encode("k" + i) })
					.toList());
		await().atMost(Duration.ofSeconds(10)).until(() -> this.store.countExpired() >= 5_000);
		assertThat(this.store.purgeExpired(1000)).isGreaterThanOrEqualTo(5_000);
		assertThat(this.store.countExpired()).isZero();
	}

	@Test
	void aConfiguredTableNameIsUsed() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS custom_records");
		createTable(jdbc, "custom_records");
		JdbcIdempotencyStore custom = configured(new JdbcIdempotencyStore(dataSource(), "custom_records", MAX_RESULT));
		custom.verifySchema();
		IdempotencyKey key = newKey();
		assertThat(custom.tryAcquire(key, Duration.ofMinutes(1)).token()).isNotNull();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM custom_records", Integer.class)).isEqualTo(1);
		assertThatThrownBy(() -> new JdbcIdempotencyStore(dataSource(), "x; DROP TABLE y", MAX_RESULT))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void theLongestAcceptedTableNameCreatesAWorkingTableAndALongerOneIsRefused() {
		String longest = "t".repeat(JdbcIdempotencyStore.MAX_TABLE_NAME_LENGTH - 2) + "_x";
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS " + longest);
		// the script derives constraint and index names from the table's (longest suffix: _expires_at_idx)
		createTable(jdbc, longest);
		createTable(jdbc, longest);
		JdbcIdempotencyStore store = configured(new JdbcIdempotencyStore(dataSource(), longest, MAX_RESULT));
		store.verifySchema();
		IdempotencyKey key = newKey();
		assertThat(store.tryAcquire(key, Duration.ofMinutes(1)).status()).isEqualTo(Status.ACQUIRED);
		assertThatThrownBy(() -> JdbcIdempotencyStore.checkTableName(longest + "y"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining(String.valueOf(JdbcIdempotencyStore.MAX_TABLE_NAME_LENGTH));
		jdbc.execute("DROP TABLE " + longest);
	}

	@Test
	void aSchemaQualifiedTableWorks() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		String schema = qualifyingSchema();
		jdbc.execute("DROP TABLE IF EXISTS " + schema + ".qualified_records");
		createTable(jdbc, schema + ".qualified_records");
		createTable(jdbc, schema + ".qualified_records"); // the scripts can run twice
		JdbcIdempotencyStore qualified = new JdbcIdempotencyStore(dataSource(), schema + ".qualified_records",
				MAX_RESULT);
		qualified.verifySchema();
		IdempotencyKey key = newKey();
		AcquireResult claim = qualified.tryAcquire(key, Duration.ofMinutes(1));
		assertThat(qualified.complete(key, claim.token(), new byte[] { 3 }, Duration.ofMinutes(1))).isTrue();
		assertThat(qualified.tryAcquire(key, Duration.ofMinutes(1)).result()).containsExactly(3);
	}

	/**
	 * A schema (database on MySQL) the connection can create tables in, named explicitly.
	 * @return the schema name
	 */
	protected abstract String qualifyingSchema();

	private void createTable(JdbcTemplate jdbc, String table) {
		for (String statement : JdbcSchemaScripts.renamed(expectedDialect().schemaLocation(), table)
			.replaceAll("(?m)^--.*$", "")
			.split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
	}

}
