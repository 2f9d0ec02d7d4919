package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.AcquireResult.Status;


import io.idempotent.testsupport.TestDatabases;

class PostgresJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
	}

	@Override
	protected boolean expectsOneRoundTripClaims() {
		return true;
	}

	@Override
	protected JdbcDialect expectedDialect() {
		return JdbcDialect.POSTGRESQL;
	}

	@Override
	protected String sessionTimeZoneSql(String offset) {
		return "SET TIME ZONE INTERVAL '" + offset + "' HOUR TO MINUTE";
	}

	@Override
	protected String qualifyingSchema() {
		return "public";
	}

	/**
	 * The claim statement waits for a conflicting insert; when that commits, the statement's snapshot predates
	 * it and returns no row. The store must then read the committed row and report it truly (COMPLETED with its
	 * result), never guess IN_PROGRESS.
	 */
	@Test
	void aClaimThatWaitedForAConflictingCommitReportsTheCommittedRecord() throws Exception {
		IdempotencyKey key = newKey();
		try (Connection holder = dataSource().getConnection()) {
			holder.setAutoCommit(false);
			try (PreparedStatement insert = holder.prepareStatement("INSERT INTO idempotency_record (operation_name, "
					+ "record_key, state, owner_token, fence, expires_at, created_at, result_data) VALUES (?, ?, "
					+ "'COMPLETED', 'other', 1, CURRENT_TIMESTAMP + INTERVAL '1 hour', CURRENT_TIMESTAMP, ?)")) {
				insert.setBytes(1, StoredNames.encode(key.name()));
				insert.setBytes(2, StoredNames.encode(key.value()));
				insert.setBytes(3, new byte[] { 42 });
				insert.executeUpdate();
			}
			CompletableFuture<AcquireResult> claim = CompletableFuture
				.supplyAsync(() -> store().tryAcquire(key, Duration.ofMinutes(1)));
			JdbcTemplate monitor = new JdbcTemplate(dataSource());
			await().atMost(Duration.ofSeconds(10)).until(() -> monitor.queryForObject(
					"SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH claim AS%'",
					Integer.class) > 0);
			holder.commit();
			AcquireResult result = claim.get(10, TimeUnit.SECONDS);
			assertThat(result.status()).isEqualTo(Status.COMPLETED);
			assertThat(result.result()).containsExactly(42);
		}
	}

}
