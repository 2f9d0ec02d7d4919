package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class MariaDbCrashTests extends CrashTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.mariadb();
	}

	@Override
	protected String database() {
		return "mariadb";
	}

	/** Smaller than on PostgreSQL unless {@link #FULL}: MariaDB commits are slower here, and the suite's budget. */
	@Override
	protected int randomKeys() {
		return FULL ? 2000 : 300;
	}

}
