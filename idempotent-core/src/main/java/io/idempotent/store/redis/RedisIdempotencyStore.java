package io.idempotent.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.FencingTokens;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.RecordState;

/**
 * A store on Redis through Spring Data Redis (the application's {@link RedisConnectionFactory}, Lettuce as
 * Boot configures it).
 *
 * <p>One Redis key per record, {@code <prefix>:<operation>:<key>}, whose TTL is the lease (PROCESSING) or the
 * retention (COMPLETED); Redis expires it. The value is {@code 'P'} + owner token, or {@code 'C'} + result
 * bytes. Every transition is one round trip: a Lua script that reads and writes a single key atomically, so
 * the claim returns a completed key's result in the same round trip, complete / release / renew compare the
 * owner token before writing (fencing), and the store works unchanged on Redis Cluster. Redis failures
 * surface as {@link IdempotencyStoreException}.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

	private static final byte PROCESSING = 'P';

	private static final byte COMPLETED = 'C';

	private static final RedisScript<byte[]> CLAIM = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v then return v end
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			return false
			""", byte[].class);

	private static final RedisScript<Long> COMPLETE = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			  return 1
			end
			return 0
			""", Long.class);

	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	private static final RedisScript<Long> RENEW = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 0
			""", Long.class);

	private static final RedisScript<String> FIND = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if not v then return false end
			return string.sub(v, 1, 1) .. ':' .. (string.len(v) - 1) .. ':' .. redis.call('PTTL', KEYS[1])
			""", String.class);

	private final RedisTemplate<String, byte[]> redis;

	private final String prefix;

	/**
	 * Creates a store.
	 * @param connectionFactory the application's connection factory
	 * @param prefix prefix of every key this store writes, such as the application name
	 */
	public RedisIdempotencyStore(RedisConnectionFactory connectionFactory, String prefix) {
		RedisTemplate<String, byte[]> template = new RedisTemplate<>();
		template.setConnectionFactory(connectionFactory);
		template.setEnableDefaultSerializer(false);
		template.setKeySerializer(RedisSerializer.string());
		template.setValueSerializer(RedisSerializer.byteArray());
		template.afterPropertiesSet();
		this.redis = template;
		this.prefix = prefix.endsWith(":") ? prefix : prefix + ":";
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		String token = FencingTokens.next();
		byte[] existing = run("claim", () -> this.redis.execute(CLAIM, RedisSerializer.byteArray(),
				RedisSerializer.byteArray(), List.of(redisKey(key)), processing(token), millis(lease)));
		if (existing == null) {
			return AcquireResult.acquired(token);
		}
		if (existing.length > 0 && existing[0] == COMPLETED) {
			byte[] result = new byte[existing.length - 1];
			System.arraycopy(existing, 1, result, 0, result.length);
			return AcquireResult.completed(result);
		}
		return AcquireResult.inProgress();
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		byte[] value = new byte[result.length + 1];
		value[0] = COMPLETED;
		System.arraycopy(result, 0, value, 1, result.length);
		return applied(run("complete", () -> this.redis.execute(COMPLETE, RedisSerializer.byteArray(), null,
				List.of(redisKey(key)), processing(token), value, millis(retention))));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return applied(run("release", () -> this.redis.execute(RELEASE, RedisSerializer.byteArray(), null,
				List.of(redisKey(key)), processing(token))));
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return applied(run("renew", () -> this.redis.execute(RENEW, RedisSerializer.byteArray(), null,
				List.of(redisKey(key)), processing(token), millis(lease))));
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		String found = run("find", () -> this.redis.execute(FIND, RedisSerializer.byteArray(),
				RedisSerializer.string(), List.of(redisKey(key))));
		if (found == null) {
			return Optional.empty();
		}
		String[] parts = found.split(":");
		RecordState state = "C".equals(parts[0]) ? RecordState.COMPLETED : RecordState.PROCESSING;
		int size = (state == RecordState.COMPLETED) ? Integer.parseInt(parts[1]) : 0;
		long ttl = Long.parseLong(parts[2]);
		Instant expiresAt = (ttl >= 0) ? Instant.now().plusMillis(ttl) : Instant.MAX;
		return Optional.of(new IdempotencyRecord(state, expiresAt, size));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return Boolean.TRUE.equals(run("evict", () -> this.redis.delete(redisKey(key))));
	}

	@Override
	public String type() {
		return "redis";
	}

	String redisKey(IdempotencyKey key) {
		return this.prefix + key.name() + ":" + key.value();
	}

	private static byte[] processing(String token) {
		byte[] tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
		byte[] value = new byte[tokenBytes.length + 1];
		value[0] = PROCESSING;
		System.arraycopy(tokenBytes, 0, value, 1, tokenBytes.length);
		return value;
	}

	private static byte[] millis(Duration duration) {
		return Long.toString(Math.max(1, duration.toMillis())).getBytes(StandardCharsets.US_ASCII);
	}

	private static boolean applied(Long result) {
		return result != null && result > 0;
	}

	private static <T> T run(String transition, java.util.function.Supplier<T> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			throw new IdempotencyStoreException("Redis failed to " + transition + " an idempotency key: "
					+ ex.getMessage(), ex);
		}
	}

}
