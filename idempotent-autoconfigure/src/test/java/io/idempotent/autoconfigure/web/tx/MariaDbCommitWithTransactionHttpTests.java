package io.idempotent.autoconfigure.web.tx;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.testsupport.TestDatabases;

/** The HTTP commit-with-transaction tests on MariaDB (InnoDB row locks, its dialect's SQL). */
class MariaDbCommitWithTransactionHttpTests extends CommitWithTransactionHttpTests {

	@DynamicPropertySource
	static void mariadb(DynamicPropertyRegistry registry) {
		HikariDataSource mariadb = (HikariDataSource) TestDatabases.mariadb();
		registry.add("spring.datasource.url", mariadb::getJdbcUrl);
		registry.add("spring.datasource.username", mariadb::getUsername);
		registry.add("spring.datasource.password", () -> "");
		registry.add("idempotent.store.jdbc.table-name", () -> "http_tx_mariadb");
	}

}
