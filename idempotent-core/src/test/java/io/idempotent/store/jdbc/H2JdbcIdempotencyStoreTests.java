package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.AcquireResult.Status;
import io.idempotent.testsupport.TestDatabases;

class H2JdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.h2();
	}

	@Override
	protected boolean expectsOneRoundTripClaims() {
		return false;
	}

	@Override
	protected JdbcDialect expectedDialect() {
		return JdbcDialect.H2;
	}

	@Override
	protected String sessionTimeZoneSql(String offset) {
		return "SET TIME ZONE '" + offset + "'";
	}

	@Override
	protected String qualifyingSchema() {
		return "PUBLIC";
	}

	/**
	 * H2 reports "H2" in every compatibility mode, so the H2 dialect and script run there too: tests often use
	 * {@code MODE=PostgreSQL} or {@code MODE=MSSQLServer}. The shipped script, the start-up check, every
	 * transition and the purge must work in each mode, from sessions in different time zones.
	 */
	@ParameterizedTest(name = "MODE={0}")
	@ValueSource(strings = { "REGULAR", "STRICT", "LEGACY", "PostgreSQL", "MySQL", "MariaDB", "Oracle", "MSSQLServer",
			"DB2", "Derby", "HSQLDB" })
	void everyCompatibilityModeRunsTheShippedScriptAndEveryTransition(String mode) {
		String url = "jdbc:h2:mem:idempotent-mode-" + mode + ";MODE=" + mode + ";DB_CLOSE_DELAY=-1";
		DataSource utc = TestDatabases.variant(dataSource(), "mode-" + mode + "-utc", (config) -> {
			config.setJdbcUrl(url);
			config.setConnectionInitSql("SET TIME ZONE '+00:00'");
		});
		DataSource east = TestDatabases.variant(dataSource(), "mode-" + mode + "-east", (config) -> {
			config.setJdbcUrl(url);
			config.setConnectionInitSql("SET TIME ZONE '+05:00'");
		});
		assertThat(JdbcDialect.of(utc)).isEqualTo(JdbcDialect.H2);
		new ResourceDatabasePopulator(new DefaultResourceLoader().getResource(JdbcDialect.H2.schemaLocation()))
			.execute(utc);
		JdbcIdempotencyStore store = new JdbcIdempotencyStore(utc, "idempotency_record", MAX_RESULT);
		store.verifySchema();
		JdbcIdempotencyStore eastStore = new JdbcIdempotencyStore(east, "idempotency_record", MAX_RESULT);
		Duration lease = Duration.ofMinutes(30);
		IdempotencyKey key = new IdempotencyKey("h2-mode", UUID.randomUUID().toString());
		AcquireResult claim = store.tryAcquire(key, lease);
		assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
		assertThat(eastStore.tryAcquire(key, lease).status()).as("claim from +05:00").isEqualTo(Status.IN_PROGRESS);
		assertThat(store.release(key, claim.token())).isTrue();
		AcquireResult again = eastStore.tryAcquire(key, lease);
		assertThat(again.status()).isEqualTo(Status.ACQUIRED);
		assertThat(again.fence()).isGreaterThan(claim.fence());
		assertThat(store.tryAcquire(key, lease).status()).as("claim from +00:00").isEqualTo(Status.IN_PROGRESS);
		assertThat(eastStore.renew(key, again.token(), lease)).isTrue();
		assertThat(eastStore.complete(key, again.token(), new byte[] { 7 }, Duration.ofMillis(1))).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> store.countExpired() == 1);
		assertThat(store.purgeExpired(10)).isEqualTo(1);
		AcquireResult third = store.tryAcquire(key, lease);
		assertThat(third.status()).isEqualTo(Status.ACQUIRED);
		assertThat(store.complete(key, third.token(), new byte[] { 8 }, lease)).isTrue();
		assertThat(eastStore.tryAcquire(key, lease).result()).containsExactly(8);
		assertThat(eastStore.find(key)).isPresent();
		assertThat(eastStore.evict(key)).isTrue();
	}

}
