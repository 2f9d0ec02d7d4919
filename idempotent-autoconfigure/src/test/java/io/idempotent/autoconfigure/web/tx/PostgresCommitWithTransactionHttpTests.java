package io.idempotent.autoconfigure.web.tx;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.testsupport.TestDatabases;

/** The HTTP commit-with-transaction tests on PostgreSQL (its dialect's SQL for the store and for Hibernate). */
class PostgresCommitWithTransactionHttpTests extends CommitWithTransactionHttpTests {

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		HikariDataSource postgres = (HikariDataSource) TestDatabases.postgres();
		registry.add("spring.datasource.url", postgres::getJdbcUrl);
		registry.add("spring.datasource.username", postgres::getUsername);
		registry.add("spring.datasource.password", () -> "");
		registry.add("idempotent.store.jdbc.table-name", () -> "http_tx_pg");
	}

}
