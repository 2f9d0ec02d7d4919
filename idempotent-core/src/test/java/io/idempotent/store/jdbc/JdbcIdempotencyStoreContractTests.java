package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.store.IdempotencyStoreException;

/**
 * The store contract plus the JDBC store's own promises, run against one real database per subclass. The table
 * is created from the shipped schema script of the database's dialect.
 */
abstract class JdbcIdempotencyStoreContractTests extends IdempotencyStoreContractTests {

	private static final int MAX_RESULT = 2 * 1024 * 1024;

	private JdbcIdempotencyStore store;

	protected abstract DataSource dataSource();

	protected abstract JdbcDialect expectedDialect();

	@BeforeAll
	void createTable() {
		JdbcDialect dialect = new JdbcIdempotencyStore(dataSource(), "idempotency_record", MAX_RESULT).dialect();
		assertThat(dialect).isEqualTo(expectedDialect());
		runScripts(dialect.dropLocation(), dialect.schemaLocation());
		this.store = new JdbcIdempotencyStore(dataSource(), "idempotency_record", MAX_RESULT);
		this.store.verifySchema();
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

	@Test
	void aMissingTableFailsFastNamingTheScriptToRun() {
		JdbcIdempotencyStore missing = new JdbcIdempotencyStore(dataSource(), "no_such_table", MAX_RESULT);
		assertThatThrownBy(missing::verifySchema).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'no_such_table'")
			.hasMessageContaining("schema-" + expectedDialect().platform() + ".sql");
	}

	@Test
	void aResultOverTheLimitIsRefusedNotTruncated() {
		JdbcIdempotencyStore small = new JdbcIdempotencyStore(dataSource(), "idempotency_record", 16);
		IdempotencyKey key = newKey();
		String token = small.tryAcquire(key, Duration.ofMinutes(1)).token();
		assertThatThrownBy(() -> small.complete(key, token, new byte[17], Duration.ofMinutes(1)))
			.isInstanceOf(IdempotencyStoreException.class)
			.hasMessageContaining("17 bytes")
			.hasMessageContaining("max-result-size");
		assertThat(small.complete(key, token, new byte[16], Duration.ofMinutes(1))).isTrue();
	}

	@Test
	void purgeDeletesOnlyExpiredRowsInBatches() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		this.store.purgeExpired(1000, 1000);
		for (int i = 0; i < 25; i++) {
			IdempotencyKey key = new IdempotencyKey("purge", "expired-" + i + "-" + System.nanoTime());
			this.store.complete(key, this.store.tryAcquire(key, Duration.ofMinutes(1)).token(), new byte[] { 1 },
					Duration.ofMillis(1));
		}
		IdempotencyKey live = new IdempotencyKey("purge", "live-" + System.nanoTime());
		this.store.tryAcquire(live, Duration.ofMinutes(1));
		sleep(50);
		assertThat(this.store.purgeExpired(10, 1)).isEqualTo(10);
		assertThat(this.store.purgeExpired(10, 100)).isEqualTo(15);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM idempotency_record WHERE operation_name = 'purge'",
				Integer.class)).isEqualTo(1);
	}

	@Test
	void aConfiguredTableNameIsUsed() {
		JdbcDialect dialect = this.store.dialect();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		String schema = new String(readScript(dialect.schemaLocation())).replace("idempotency_record", "custom_records");
		jdbc.execute("DROP TABLE IF EXISTS custom_records");
		for (String statement : schema.replaceAll("(?m)^--.*$", "").split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
		JdbcIdempotencyStore custom = new JdbcIdempotencyStore(dataSource(), "custom_records", MAX_RESULT);
		custom.verifySchema();
		IdempotencyKey key = newKey();
		assertThat(custom.tryAcquire(key, Duration.ofMinutes(1)).token()).isNotNull();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM custom_records", Integer.class)).isEqualTo(1);
		assertThatThrownBy(() -> new JdbcIdempotencyStore(dataSource(), "x; DROP TABLE y", MAX_RESULT))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static byte[] readScript(String location) {
		try (var in = new DefaultResourceLoader().getResource(location).getInputStream()) {
			return in.readAllBytes();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
