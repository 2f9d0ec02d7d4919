package io.idempotent.core;

import org.junit.jupiter.api.AfterEach;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;

/**
 * The claim-ending rules on a real Redis server, with the faults scripted around it.
 */
class RedisEngineClaimEndingTests extends EngineClaimEndingTests {

	private LettuceConnectionFactory connectionFactory;

	@Override
	IdempotencyStore createStore() {
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		return new RedisIdempotencyStore(this.connectionFactory, "engine-claims");
	}

	@AfterEach
	void closeConnection() {
		this.connectionFactory.destroy();
	}

}
