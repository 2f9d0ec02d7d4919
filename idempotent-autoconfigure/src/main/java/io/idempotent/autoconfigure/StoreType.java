package io.idempotent.autoconfigure;

/**
 * The stores idempotent can auto-configure.
 */
public enum StoreType {

	/** Redis, through the application's RedisConnectionFactory. */
	REDIS,

	/** A relational table, through the application's DataSource. */
	JDBC,

	/** This JVM's memory: not shared between instances. */
	MEMORY

}
