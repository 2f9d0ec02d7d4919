package io.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.testsupport.TestRedis;
import io.idempotent.testsupport.TestServers;

class RedisIdempotencyStoreTests extends IdempotencyStoreContractTests {

	private LettuceConnectionFactory connectionFactory;

	private RedisIdempotencyStore store;

	@BeforeAll
	void connect() {
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.store = new RedisIdempotencyStore(this.connectionFactory, "contract-app");
	}

	@AfterAll
	void disconnect() {
		this.connectionFactory.destroy();
	}

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

	@Test
	void recordsAreOneRedisKeyUnderThePrefixWithTheLeaseAsTtl() {
		IdempotencyKey key = newKey();
		this.store.tryAcquire(key, Duration.ofSeconds(30));
		StringRedisTemplate redis = new StringRedisTemplate(this.connectionFactory);
		String redisKey = "contract-app:" + key.name() + ":" + key.value();
		assertThat(redis.hasKey(redisKey)).isTrue();
		assertThat(redis.getExpire(redisKey)).isBetween(25L, 30L);
	}

	@Test
	void anUnreachableRedisIsAStoreFailureNeverANormalOutcome() {
		LettuceConnectionFactory down = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", TestServers.freePort()));
		down.afterPropertiesSet();
		down.start();
		try {
			RedisIdempotencyStore unreachable = new RedisIdempotencyStore(down, "down");
			assertThatThrownBy(() -> unreachable.tryAcquire(newKey(), Duration.ofSeconds(1)))
				.isInstanceOf(IdempotencyStoreException.class)
				.hasMessageContaining("Redis failed to claim");
			assertThatThrownBy(() -> unreachable.complete(newKey(), "t", new byte[0], Duration.ofSeconds(1)))
				.isInstanceOf(IdempotencyStoreException.class);
		}
		finally {
			down.destroy();
		}
	}

}
