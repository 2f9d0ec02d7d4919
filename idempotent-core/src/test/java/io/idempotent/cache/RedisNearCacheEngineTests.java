package io.idempotent.cache;

import org.junit.jupiter.api.AfterEach;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;

/**
 * The near cache in front of a real Redis server.
 */
class RedisNearCacheEngineTests extends NearCacheEngineTests {

	private LettuceConnectionFactory connectionFactory;

	@Override
	protected IdempotencyStore createStore() {
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		return new RedisIdempotencyStore(this.connectionFactory, "near-cache");
	}

	@AfterEach
	void closeConnection() {
		this.connectionFactory.destroy();
	}

}
