package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class MariaDbTransactionalCompletionTests extends TransactionalCompletionTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.mariadb();
	}

}
