package io.idempotent.store.jdbc;

import io.idempotent.testsupport.TestDatabases;

class H2NearCacheTransactionalTests extends NearCacheTransactionalTests {

	H2NearCacheTransactionalTests() {
		super(TestDatabases.h2());
	}

}
