package io.idempotent.store.jdbc;

import io.idempotent.cache.NearCacheEngineTests;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.testsupport.TestDatabases;

/**
 * The near cache in front of the JDBC store on H2.
 */
class H2NearCacheEngineTests extends NearCacheEngineTests {

	private static final String TABLE = "near_records";

	@Override
	protected IdempotencyStore createStore() {
		TransactionalTables.recreate(TestDatabases.h2(), TABLE);
		return new JdbcIdempotencyStore(TestDatabases.h2(), TABLE, 65536);
	}

}
