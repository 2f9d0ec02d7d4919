package io.idempotent.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a missing store: what was looked for and how to provide it.
 */
class NoIdempotencyStoreFailureAnalyzer extends AbstractFailureAnalyzer<NoIdempotencyStoreException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NoIdempotencyStoreException cause) {
		StoreType type = cause.getType();
		if (cause.getFound() != null) {
			String property = (type == StoreType.REDIS) ? "idempotent.store.redis.connection-factory"
					: "idempotent.store.jdbc.data-source";
			return new FailureAnalysis("The idempotency store (" + type + ") could not pick its infrastructure: "
					+ cause.getFound() + ".", "Mark one bean @Primary, or set " + property + " to the bean's name.",
					cause);
		}
		if (type == StoreType.REDIS) {
			return new FailureAnalysis("idempotent.store.type is 'redis' but no RedisConnectionFactory bean was found "
					+ "(looked for spring-data-redis on the classpath and a RedisConnectionFactory bean).",
					"Add spring-boot-starter-data-redis and configure spring.data.redis.host/port, define a "
							+ "RedisConnectionFactory bean, or choose another idempotent.store.type (jdbc, memory).",
					cause);
		}
		if (type == StoreType.JDBC) {
			return new FailureAnalysis("idempotent.store.type is 'jdbc' but no DataSource bean was found "
					+ "(looked for spring-jdbc on the classpath and a DataSource bean).",
					"Add spring-boot-starter-jdbc and a JDBC driver and configure spring.datasource.url, define a "
							+ "DataSource bean, or choose another idempotent.store.type (redis, memory).",
					cause);
		}
		return new FailureAnalysis("No IdempotencyStore bean was found for idempotent.store.type=" + type + ".",
				"Define an IdempotencyStore bean, or set idempotent.store.type to redis, jdbc or memory.", cause);
	}

}
