package io.idempotent.autoconfigure.jpa;

import java.util.UUID;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.testsupport.TestDatabases;

/**
 * The JPA handler tests on MariaDB: Hibernate's MariaDB dialect, the JDBC store's MariaDB SQL, a
 * table of their own.
 */
class MariaDbCommitWithTransactionJpaTests extends CommitWithTransactionJpaTests {

	private final String table = "jpa_m_" + UUID.randomUUID().toString().substring(0, 8);

	@Override
	protected String table() {
		return this.table;
	}

	@Override
	protected ApplicationContextRunner runner() {
		HikariDataSource mariadb = (HikariDataSource) TestDatabases.mariadb();
		return super.runner().withPropertyValues("spring.datasource.url=" + mariadb.getJdbcUrl(),
				"spring.datasource.username=" + mariadb.getUsername(), "spring.datasource.password=",
				"idempotent.store.jdbc.table-name=" + this.table, "idempotent.store.jdbc.initialize-schema=always");
	}

}
