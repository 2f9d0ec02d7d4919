package io.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.testsupport.TestRedis;
import io.idempotent.testsupport.TestServers;

class RedisIdempotencyStoreTests extends RedisStoreContractTests {

	@Override
	RedisConfiguration configuration() {
		return new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port());
	}

	@Override
	String prefix() {
		return "contract-app";
	}

	@Test
	void recordsAreOneRedisKeyUnderThePrefixWithTheLeaseAsTtl() {
		IdempotencyKey key = newKey();
		redisStore().tryAcquire(key, Duration.ofSeconds(30));
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory());
		String redisKey = "contract-app:" + key.name().length() + ":" + key.name() + ":" + key.value();
		assertThat(redis.hasKey(redisKey)).isTrue();
		assertThat(redis.getExpire(redisKey)).isBetween(25L, 30L);
	}

	@Test
	void anUnreachableRedisIsAStoreFailureNeverANormalOutcome() {
		LettuceConnectionFactory down = started(new RedisStandaloneConfiguration("127.0.0.1", TestServers.freePort()));
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
