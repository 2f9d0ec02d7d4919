package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class H2JdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.h2();
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

}
