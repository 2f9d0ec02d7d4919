package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class MariaDbJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.mariadb();
	}

	@Override
	protected JdbcDialect expectedDialect() {
		return JdbcDialect.MYSQL;
	}

}
