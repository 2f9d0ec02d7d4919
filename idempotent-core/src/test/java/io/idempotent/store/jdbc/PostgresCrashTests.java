package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.idempotent.testsupport.TestDatabases;

class PostgresCrashTests extends CrashTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
	}

	@Override
	protected String database() {
		return "postgresql";
	}

}
