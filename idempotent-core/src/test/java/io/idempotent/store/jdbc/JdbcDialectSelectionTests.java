package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which claim each server of the MySQL dialect gets, from what its JDBC driver reports: the one-statement
 * {@code INSERT ... RETURNING} claim only on MariaDB 10.5 and later.
 */
class JdbcDialectSelectionTests {

	@Test
	void mariaDbFromTenFiveClaimsWithInsertReturning() {
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MariaDB", "11.4.5-MariaDB")).isTrue();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MariaDB", "10.5.0-MariaDB-log")).isTrue();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MariaDB", "10.11.6-MariaDB-0+deb12u1")).isTrue();
	}

	@Test
	void mariaDbSeenThroughMySqlsDriverIsRecognisedByItsVersion() {
		// MySQL Connector/J names every server MySQL; MariaDB 10.x answers with the replication-era prefix
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "5.5.5-10.6.12-MariaDB")).isTrue();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "11.4.5-MariaDB")).isTrue();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "5.5.5-10.4.32-MariaDB")).isFalse();
	}

	@Test
	void olderMariaDbAndMySqlKeepTheInsertThenRead() {
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MariaDB", "10.4.32-MariaDB")).isFalse();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "8.0.36")).isFalse();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "8.4.0-commercial")).isFalse();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MySQL", "9.1.0")).isFalse();
		assertThat(JdbcDialect.MYSQL.supportsInsertReturning("MariaDB", null)).isFalse();
	}

	@Test
	void otherDialectsNeverTakeIt() {
		assertThat(JdbcDialect.POSTGRESQL.supportsInsertReturning("PostgreSQL", "17.2")).isFalse();
		assertThat(JdbcDialect.H2.supportsInsertReturning("H2", "2.3.232 (2024-08-11)")).isFalse();
	}

}
