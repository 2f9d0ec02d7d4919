package io.idempotent.store.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;

/**
 * The store contract on a Redis deployment a subclass names, through a Lettuce connection factory as Boot
 * builds it.
 */
abstract class RedisStoreContractTests extends IdempotencyStoreContractTests {

	private LettuceConnectionFactory connectionFactory;

	private RedisIdempotencyStore store;

	/**
	 * Where the Redis under test is.
	 * @return the standalone or cluster configuration
	 */
	abstract RedisConfiguration configuration();

	/**
	 * The key prefix the store writes under.
	 * @return the prefix
	 */
	abstract String prefix();

	@BeforeAll
	void connect() {
		this.connectionFactory = started(configuration());
		this.store = new RedisIdempotencyStore(this.connectionFactory, prefix());
	}

	@AfterAll
	void disconnect() {
		this.connectionFactory.destroy();
	}

	static LettuceConnectionFactory started(RedisConfiguration configuration) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	LettuceConnectionFactory connectionFactory() {
		return this.connectionFactory;
	}

	RedisIdempotencyStore redisStore() {
		return this.store;
	}

	@Override
	protected int expectedMaxResultSize() {
		return RedisIdempotencyStore.DEFAULT_MAX_RESULT_SIZE;
	}

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

}
