package io.idempotent.autoconfigure.web.crash;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

/** The HTTP crash test on PostgreSQL. */
class PostgresHttpCrashTests extends HttpCrashTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
	}

	@Override
	protected String database() {
		return "postgresql";
	}

}
