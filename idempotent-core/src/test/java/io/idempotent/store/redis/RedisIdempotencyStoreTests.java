package io.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.AcquireResult.Status;
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

	@Test
	void aServerThatForgotTheScriptsIsSentThemAgain() {
		IdempotencyKey key = newKey();
		assertThat(redisStore().tryAcquire(key, Duration.ofSeconds(30)).status()).isEqualTo(Status.ACQUIRED);
		flushScripts();
		String token = redisStore().tryAcquire(newKey(), Duration.ofSeconds(30)).token();
		assertThat(token).isNotNull();
		flushScripts();
		assertThat(redisStore().tryAcquire(key, Duration.ofSeconds(30)).status()).isEqualTo(Status.IN_PROGRESS);
	}

	@Test
	void aFactoryWhoseSharedConnectionWasResetKeepsServingTheStore() {
		LettuceConnectionFactory factory = started(configuration());
		try {
			RedisIdempotencyStore store = new RedisIdempotencyStore(factory, "reset");
			IdempotencyKey key = newKey();
			AcquireResult claim = store.tryAcquire(key, Duration.ofSeconds(30));
			factory.resetConnection();
			assertThat(store.complete(key, claim.token(), new byte[] { 7 }, Duration.ofSeconds(30))).isTrue();
			assertThat(store.tryAcquire(key, Duration.ofSeconds(30)).result()).containsExactly(7);
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void aFactoryThatDoesNotShareItsConnectionGoesThroughItsConnections() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration());
		factory.setShareNativeConnection(false);
		factory.afterPropertiesSet();
		factory.start();
		try {
			RedisIdempotencyStore store = new RedisIdempotencyStore(factory, "dedicated");
			IdempotencyKey key = newKey();
			AcquireResult claim = store.tryAcquire(key, Duration.ofSeconds(30));
			assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
			assertThat(store.complete(key, claim.token(), new byte[] { 8 }, Duration.ofSeconds(30))).isTrue();
			assertThat(store.tryAcquire(key, Duration.ofSeconds(30)).result()).containsExactly(8);
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void aClaimResentAfterABrokenConnectionIsStillAcquired() throws Exception {
		// Lettuce re-sends commands written but not answered when its connection broke (at-least-once): the
		// claim script runs twice; the second run must not report the caller's own claim as in progress
		try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(TestRedis.host(), TestRedis.port())) {
			LettuceConnectionFactory factory = started(new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
			try {
				RedisIdempotencyStore store = new RedisIdempotencyStore(factory, "resent");
				assertThat(store.tryAcquire(newKey(), Duration.ofSeconds(30)).status()).isEqualTo(Status.ACQUIRED);
				IdempotencyKey key = newKey();
				proxy.dropNextReply();
				AcquireResult claim = store.tryAcquire(key, Duration.ofSeconds(30));
				assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
				assertThat(store.tryAcquire(key, Duration.ofSeconds(30)).status()).isEqualTo(Status.IN_PROGRESS);
				assertThat(store.complete(key, claim.token(), new byte[] { 5 }, Duration.ofSeconds(30))).isTrue();
				AcquireResult duplicate = store.tryAcquire(key, Duration.ofSeconds(30));
				assertThat(duplicate.status()).isEqualTo(Status.COMPLETED);
				assertThat(duplicate.result()).containsExactly(5);
			}
			finally {
				factory.destroy();
			}
		}
	}

	private void flushScripts() {
		try (RedisConnection connection = connectionFactory().getConnection()) {
			connection.scriptingCommands().scriptFlush();
		}
	}

}
