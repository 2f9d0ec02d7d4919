package io.idempotent.store.jdbc;

import javax.sql.DataSource;

import io.idempotent.testsupport.TestDatabases;

class H2TransactionalCompletionTests extends TransactionalCompletionTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.h2();
	}

}
