package io.idempotent.store.jdbc;

/**
 * The whole JDBC contract on MariaDB with the claim MySQL takes (a plain insert, then a read on a duplicate):
 * no MySQL server runs here, and MySQL 8 has no {@code INSERT ... RETURNING}, so its statements are proven on
 * the nearest server.
 */
class MariaDbOnMySqlClaimsJdbcIdempotencyStoreTests extends MariaDbJdbcIdempotencyStoreTests {

	@Override
	protected JdbcIdempotencyStore configured(JdbcIdempotencyStore store) {
		return store.claimWithInsertReturning(false);
	}

	@Override
	protected boolean expectsOneRoundTripClaims() {
		return false;
	}

}
