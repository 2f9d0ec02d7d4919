package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class PostgresJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
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

}
