package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class PostgresTransactionalCompletionTests extends TransactionalCompletionTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
	}

}
