package io.idempotent.autoconfigure.jpa;

import java.util.UUID;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.testsupport.TestDatabases;

/**
 * The JPA handler tests on PostgreSQL: Hibernate's PostgreSQL dialect, the JDBC store's PostgreSQL SQL, a
 * table of their own.
 */
class PostgresCommitWithTransactionJpaTests extends CommitWithTransactionJpaTests {

	private final String table = "jpa_" + UUID.randomUUID().toString().substring(0, 8);

	@Override
	protected String table() {
		return this.table;
	}

	@Override
	protected ApplicationContextRunner runner() {
		HikariDataSource postgres = (HikariDataSource) TestDatabases.postgres();
		return super.runner().withPropertyValues("spring.datasource.url=" + postgres.getJdbcUrl(),
				"spring.datasource.username=" + postgres.getUsername(), "spring.datasource.password=",
				"idempotent.store.jdbc.table-name=" + this.table, "idempotent.store.jdbc.initialize-schema=always");
	}

}
