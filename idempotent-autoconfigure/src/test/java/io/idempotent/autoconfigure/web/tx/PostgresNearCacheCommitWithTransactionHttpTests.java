package io.idempotent.autoconfigure.web.tx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.core.NearCache;
import io.idempotent.testsupport.TestDatabases;

/**
 * The HTTP commit-with-transaction tests on PostgreSQL with the near cache on: a committed response is replayed
 * as the store replays it, and a rolled-back, released or refused request leaves no entry behind its retry.
 */
class PostgresNearCacheCommitWithTransactionHttpTests extends CommitWithTransactionHttpTests {

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		HikariDataSource postgres = (HikariDataSource) TestDatabases.postgres();
		registry.add("spring.datasource.url", postgres::getJdbcUrl);
		registry.add("spring.datasource.username", postgres::getUsername);
		registry.add("spring.datasource.password", () -> "");
		registry.add("idempotent.store.jdbc.table-name", () -> "http_tx_pg_near");
		registry.add("idempotent.near-cache.enabled", () -> "true");
	}

	@Autowired
	private NearCache nearCache;

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jdbc-transactional", "jpa" })
	void aCommittedResponseIsKeptAfterTheCommit(String endpoint) throws Exception {
		long before = this.nearCache.size();
		assertThat(post(endpoint, order(), UUID.randomUUID().toString()).statusCode()).isEqualTo(201);
		assertThat(this.nearCache.size()).isEqualTo(before + 1);
	}

}
