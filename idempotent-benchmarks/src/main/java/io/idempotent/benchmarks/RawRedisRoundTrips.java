package io.idempotent.benchmarks;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;

import io.idempotent.store.FencingTokens;
import io.idempotent.store.redis.RedisIdempotencyStore;

/**
 * The Redis round trips the guard makes for one message, issued directly: the store's own claim and completion
 * scripts (read from {@link RedisIdempotencyStore}, so the baseline follows any change to them), with the same
 * kind of arguments (a fencing token, the lease, a 32-byte fingerprint; the completion's empty result and the
 * retention), through a {@link RedisTemplate} on the application's connection factory. No engine, no AOP, no
 * key expression, no meters: what the guard adds on top of these is its own cost.
 */
final class RawRedisRoundTrips {

	private static final byte[] FINGERPRINT = new byte[32];

	private static final byte[] ONE = { '1' };

	private static final byte[] LEASE = ascii("60000");

	private static final byte[] RETENTION = ascii("86400000");

	private static final byte[] EMPTY = new byte[0];

	private final RedisTemplate<String, byte[]> redis;

	private final RedisScript<?> claim;

	private final RedisScript<?> complete;

	private final String prefix;

	RawRedisRoundTrips(RedisConnectionFactory connectionFactory, String namespace) {
		RedisTemplate<String, byte[]> template = new RedisTemplate<>();
		template.setConnectionFactory(connectionFactory);
		template.setEnableDefaultSerializer(false);
		template.setKeySerializer(RedisSerializer.string());
		template.setValueSerializer(RedisSerializer.byteArray());
		template.afterPropertiesSet();
		this.redis = template;
		this.claim = script("CLAIM");
		this.complete = script("COMPLETE");
		this.prefix = "bench-raw:" + namespace.length() + ":" + namespace + ":";
	}

	/**
	 * Claims {@code key} and, if the claim was won, completes it: the guard's two round trips for a first
	 * delivery, its one round trip for a duplicate.
	 * @return whether the key was new (the handler would run)
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	boolean claimAndComplete(String key) {
		String redisKey = this.prefix + key;
		String token = FencingTokens.next();
		List<?> reply = (List<?>) this.redis.execute((RedisScript) this.claim, RedisSerializer.byteArray(),
				(RedisSerializer) RedisSerializer.byteArray(), List.of(redisKey), ascii(token), LEASE, ONE, FINGERPRINT);
		if (reply == null || reply.isEmpty() || ((byte[]) reply.get(0))[0] != 'A') {
			return false;
		}
		this.redis.execute((RedisScript) this.complete, RedisSerializer.byteArray(), null, List.of(redisKey),
				ascii(token), EMPTY, RETENTION);
		return true;
	}

	private static RedisScript<?> script(String name) {
		try {
			Field field = RedisIdempotencyStore.class.getDeclaredField(name);
			field.setAccessible(true);
			return (RedisScript<?>) field.get(null);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("RedisIdempotencyStore." + name + " is gone: update the RocketMQ "
					+ "benchmark's raw baseline to the store's round trips", ex);
		}
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
