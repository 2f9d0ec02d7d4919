package io.idempotent.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.script.RedisScript;

import io.idempotent.store.IdempotencyKey;
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
 * <p>One Redis hash per record, key {@code <prefix>:<length of name>:<name>:<key>} (the length keeps names
 * holding {@code :} apart; a name or key with an unpaired surrogate, which has no UTF-8 form, makes the key
 * {@code <prefix>:u:<hex of the name's UTF-16>:<hex of the key's UTF-16>}), whose TTL is the lease
 * (PROCESSING) or the retention (COMPLETED); Redis expires it. Fields: {@code s} state ({@code P} processing,
 * {@code C} completed, {@code R} released), {@code t} owner token, {@code f} fence, {@code p} fingerprint,
 * {@code r} result. Keys and names are binary-safe and of any length. Every transition is one round trip: a
 * Lua script that reads and writes a single key atomically, so the claim returns a completed key's result and
 * fingerprint in the same round trip, complete / release / renew compare the owner token before writing
 * (fencing), and the store works unchanged on Redis Cluster. A claim that finds the record already holding
 * its own (unique) token answers ACQUIRED as it did the first time: Lettuce re-sends commands that were
 * written but not answered when a connection broke (at-least-once), so a script can run twice.
 *
 * <p><b>Fence.</b> A claim writes {@code fence = max(previous fence + 1, server clock in microseconds)} (the
 * {@code TIME} of the master holding the key). A release keeps the hash (state {@code R}) until the released
 * lease would have ended, so while the hash lives fences strictly grow; after it expired, the next fence
 * starts from the master's clock, greater than the earlier ones unless that clock went back (e.g. a fail-over
 * to a replica whose clock is behind).
 *
 * <p><b>Limits.</b> Results up to {@link #maxResultSize()} bytes (at most Redis's 512 MB string limit);
 * fingerprints up to {@value #MAX_FINGERPRINT_BYTES} bytes. Redis failures surface as
 * {@link IdempotencyStoreException}.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

	/** Largest fingerprint stored with a claim. */
	public static final int MAX_FINGERPRINT_BYTES = 64;

	/** Largest result Redis itself can hold in one field (its proto-max-bulk-len default). */
	public static final int REDIS_MAX_RESULT_SIZE = 512 * 1024 * 1024;

	/** The limit of a store created without one. */
	public static final int DEFAULT_MAX_RESULT_SIZE = 2 * 1024 * 1024;

	private static final String LIVE = """
			local s = redis.call('HGET', KEYS[1], 's')
			local owned = (s == 'P' and redis.call('HGET', KEYS[1], 't') == ARGV[1])
			""";

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> CLAIM = RedisScript.of("""
			local v = redis.call('HMGET', KEYS[1], 's', 'p', 'r', 'f', 't')
			if v[1] == 'P' and v[5] == ARGV[1] then
			  return { 'A', v[4] }
			end
			if v[1] == 'P' or v[1] == 'C' then
			  return { v[1], v[2], v[3] }
			end
			local now = redis.call('TIME')
			local fence = tonumber(now[1]) * 1000000 + tonumber(now[2])
			if v[4] then fence = math.max(tonumber(v[4]) + 1, fence) end
			fence = string.format('%.0f', fence)
			redis.call('DEL', KEYS[1])
			if ARGV[3] == '1' then
			  redis.call('HSET', KEYS[1], 's', 'P', 't', ARGV[1], 'f', fence, 'p', ARGV[4])
			else
			  redis.call('HSET', KEYS[1], 's', 'P', 't', ARGV[1], 'f', fence)
			end
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			return { 'A', fence }
			""", List.class);

	private static final RedisScript<Long> COMPLETE = RedisScript.of(LIVE + """
			if not owned then return 0 end
			redis.call('HSET', KEYS[1], 's', 'C', 'r', ARGV[2])
			redis.call('PEXPIRE', KEYS[1], ARGV[3])
			return 1
			""", Long.class);

	private static final RedisScript<Long> RELEASE = RedisScript.of(LIVE + """
			if not owned then return 0 end
			redis.call('HSET', KEYS[1], 's', 'R')
			redis.call('HDEL', KEYS[1], 't', 'p')
			return 1
			""", Long.class);

	private static final RedisScript<Long> RENEW = RedisScript.of(LIVE + """
			if not owned then return 0 end
			return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			""", Long.class);

	private static final RedisScript<String> FIND = RedisScript.of("""
			local s = redis.call('HGET', KEYS[1], 's')
			if s ~= 'P' and s ~= 'C' then return false end
			return s .. ':' .. redis.call('HSTRLEN', KEYS[1], 'r') .. ':' .. redis.call('PTTL', KEYS[1])
			""", String.class);

	private static final RedisScript<Long> EVICT = RedisScript.of("""
			local s = redis.call('HGET', KEYS[1], 's')
			if s ~= 'P' and s ~= 'C' then return 0 end
			return redis.call('DEL', KEYS[1])
			""", Long.class);

	private static final LuaScript CLAIM_LUA = LuaScript.of(CLAIM);

	private static final LuaScript COMPLETE_LUA = LuaScript.of(COMPLETE);

	private static final LuaScript RELEASE_LUA = LuaScript.of(RELEASE);

	private static final LuaScript RENEW_LUA = LuaScript.of(RENEW);

	private static final LuaScript FIND_LUA = LuaScript.of(FIND);

	private static final LuaScript EVICT_LUA = LuaScript.of(EVICT);

	private static final int MAX_CACHED_NAMES = 1024;

	private static final byte[] ONE = { '1' };

	private static final byte[] ZERO = { '0' };

	private static final byte[] NONE = new byte[0];

	private final RedisConnectionFactory connectionFactory;

	private final LettuceSharedScripts lettuce;

	private final Map<String, byte[]> namePrefixes = new ConcurrentHashMap<>();

	private volatile EncodedMillis lastMillis;

	private final String prefix;

	private final int maxResultSize;

	/**
	 * Creates a store that accepts results up to {@value #DEFAULT_MAX_RESULT_SIZE} bytes.
	 * @param connectionFactory the application's connection factory
	 * @param prefix prefix of every key this store writes, such as the application name
	 */
	public RedisIdempotencyStore(RedisConnectionFactory connectionFactory, String prefix) {
		this(connectionFactory, prefix, DEFAULT_MAX_RESULT_SIZE);
	}

	/**
	 * Creates a store.
	 * @param connectionFactory the application's connection factory
	 * @param prefix prefix of every key this store writes, such as the application name
	 * @param maxResultSize the largest result, in bytes, the store accepts (at most
	 * {@value #REDIS_MAX_RESULT_SIZE})
	 */
	public RedisIdempotencyStore(RedisConnectionFactory connectionFactory, String prefix, int maxResultSize) {
		if (maxResultSize < 0 || maxResultSize > REDIS_MAX_RESULT_SIZE) {
			throw new IllegalArgumentException("The Redis store's max result size must be between 0 and "
					+ REDIS_MAX_RESULT_SIZE + " bytes (Redis's own limit), not " + maxResultSize);
		}
		this.connectionFactory = connectionFactory;
		this.lettuce = LettuceSharedScripts.forFactory(connectionFactory);
		this.prefix = prefix.endsWith(":") ? prefix : prefix + ":";
		this.maxResultSize = maxResultSize;
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return tryAcquire(key, lease, null);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		if (fingerprint != null && fingerprint.length > MAX_FINGERPRINT_BYTES) {
			throw new IllegalArgumentException("A fingerprint holds at most " + MAX_FINGERPRINT_BYTES + " bytes, not "
					+ fingerprint.length);
		}
		String token = FencingTokens.next();
		Object answer = eval("claim", CLAIM_LUA, ReturnType.MULTI, redisKeyBytes(key), ascii(token), millis(lease),
				(fingerprint != null) ? ONE : ZERO, (fingerprint != null) ? fingerprint : NONE);
		if (!(answer instanceof List<?> reply) || reply.isEmpty()) {
			throw new IdempotencyStoreException("Redis answered a claim with nothing");
		}
		byte state = ((byte[]) reply.get(0))[0];
		if (state == 'A') {
			return AcquireResult.acquired(token, parseLong((byte[]) reply.get(1)));
		}
		byte[] storedFingerprint = (reply.size() > 1) ? (byte[]) reply.get(1) : null;
		if (state == 'C') {
			return AcquireResult.completed((reply.size() > 2) ? (byte[]) reply.get(2) : null, storedFingerprint);
		}
		return AcquireResult.inProgress(storedFingerprint);
	}

	@Override
	public int maxResultSize() {
		return this.maxResultSize;
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (result.length > this.maxResultSize) {
			throw new IdempotencyStoreException("A result of " + result.length + " bytes of '" + key.name()
					+ "' is over the Redis store's limit of " + this.maxResultSize
					+ " bytes (idempotent.store.max-result-size); check maxResultSize() before completing");
		}
		return applied(eval("complete", COMPLETE_LUA, ReturnType.INTEGER, redisKeyBytes(key), ascii(token), result,
				millis(retention)));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return applied(eval("release", RELEASE_LUA, ReturnType.INTEGER, redisKeyBytes(key), ascii(token)));
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return applied(eval("renew", RENEW_LUA, ReturnType.INTEGER, redisKeyBytes(key), ascii(token), millis(lease)));
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		Object answer = eval("find", FIND_LUA, ReturnType.VALUE, redisKeyBytes(key));
		if (answer == null) {
			return Optional.empty();
		}
		String found = new String((byte[]) answer, StandardCharsets.US_ASCII);
		String[] parts = found.split(":");
		RecordState state = "C".equals(parts[0]) ? RecordState.COMPLETED : RecordState.PROCESSING;
		int size = (state == RecordState.COMPLETED) ? Integer.parseInt(parts[1]) : 0;
		long ttl = Long.parseLong(parts[2]);
		Instant expiresAt = (ttl >= 0) ? Instant.now().plusMillis(ttl) : Instant.MAX;
		return Optional.of(new IdempotencyRecord(state, expiresAt, size));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return applied(eval("evict", EVICT_LUA, ReturnType.INTEGER, redisKeyBytes(key)));
	}

	@Override
	public String type() {
		return "redis";
	}

	/**
	 * Runs a script on its one key with {@code EVALSHA} (the SHA computed once), sending the source with
	 * {@code EVAL} only when the server does not know it yet ({@code NOSCRIPT}, e.g. after a restart or
	 * {@code SCRIPT FLUSH}); on a connection of the factory (Lettuce shares one native connection), without a
	 * template, serializers or connection proxies.
	 */
	private Object eval(String transition, LuaScript script, ReturnType type, byte[] key, byte[]... args) {
		LettuceSharedScripts lettuce = this.lettuce;
		if (lettuce != null) {
			Object reply;
			try {
				reply = lettuce.eval(script.sha(), script.source(), type, key, args);
			}
			catch (RuntimeException ex) {
				throw failed(transition, ex);
			}
			if (reply != LettuceSharedScripts.UNAVAILABLE) {
				return reply;
			}
		}
		RedisConnection connection;
		try {
			connection = this.connectionFactory.getConnection();
		}
		catch (RuntimeException ex) {
			throw failed(transition, ex);
		}
		byte[][] keyAndArgs = new byte[args.length + 1][];
		keyAndArgs[0] = key;
		System.arraycopy(args, 0, keyAndArgs, 1, args.length);
		try {
			try {
				return connection.scriptingCommands().evalSha(script.sha(), type, 1, keyAndArgs);
			}
			catch (RuntimeException ex) {
				if (!noScript(ex)) {
					throw ex;
				}
				return connection.scriptingCommands().eval(script.source(), type, 1, keyAndArgs);
			}
		}
		catch (RuntimeException ex) {
			throw failed(transition, ex);
		}
		finally {
			connection.close();
		}
	}

	static boolean noScript(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause.getMessage() != null && cause.getMessage().contains("NOSCRIPT")) {
				return true;
			}
		}
		return false;
	}

	/** A script's SHA and source, computed once ({@link RedisScript#getSha1()} locks on every call). */
	private record LuaScript(String sha, byte[] source) {

		static LuaScript of(RedisScript<?> script) {
			return new LuaScript(script.getSha1(), script.getScriptAsString().getBytes(StandardCharsets.UTF_8));
		}

	}

	private static IdempotencyStoreException failed(String transition, RuntimeException ex) {
		return new IdempotencyStoreException("Redis failed to " + transition + " an idempotency key: "
				+ ex.getMessage(), ex);
	}

	/** The key's bytes: the UTF-8 of {@link #redisKey}, its per-name prefix encoded once. */
	byte[] redisKeyBytes(IdempotencyKey key) {
		String value = key.value();
		if (!wellFormed(value)) {
			return redisKey(key).getBytes(StandardCharsets.UTF_8);
		}
		byte[] prefix = this.namePrefixes.get(key.name());
		if (prefix == null) {
			if (!wellFormed(key.name())) {
				return redisKey(key).getBytes(StandardCharsets.UTF_8);
			}
			prefix = (this.prefix + key.name().length() + ":" + key.name() + ":").getBytes(StandardCharsets.UTF_8);
			if (this.namePrefixes.size() < MAX_CACHED_NAMES) {
				this.namePrefixes.put(key.name(), prefix);
			}
		}
		byte[] encodedValue = value.getBytes(StandardCharsets.UTF_8);
		byte[] bytes = Arrays.copyOf(prefix, prefix.length + encodedValue.length);
		System.arraycopy(encodedValue, 0, bytes, prefix.length, encodedValue.length);
		return bytes;
	}

	String redisKey(IdempotencyKey key) {
		if (wellFormed(key.name()) && wellFormed(key.value())) {
			return this.prefix + key.name().length() + ":" + key.name() + ":" + key.value();
		}
		// an unpaired surrogate has no UTF-8 form (it would be written as '?', merging it with the key that
		// holds '?'): such a name and key are written as the hex of their UTF-16 code units, after 'u', which
		// no length starts with
		return this.prefix + "u:" + utf16Hex(key.name()) + ":" + utf16Hex(key.value());
	}

	private static boolean wellFormed(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	private static String utf16Hex(String text) {
		// the code units themselves: Java's UTF-16 encoder, too, replaces an unpaired surrogate
		StringBuilder hex = new StringBuilder(4 * text.length());
		for (int i = 0; i < text.length(); i++) {
			hex.append(java.util.HexFormat.of().toHexDigits(text.charAt(i)));
		}
		return hex.toString();
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private byte[] millis(Duration duration) {
		// leases and retentions are a few fixed settings: the last one's digits are reused
		EncodedMillis last = this.lastMillis;
		if (last != null && last.duration.equals(duration)) {
			return last.digits;
		}
		byte[] digits = ascii(Long.toString(Math.max(1, duration.toMillis())));
		this.lastMillis = new EncodedMillis(duration, digits);
		return digits;
	}

	private static long parseLong(byte[] digits) {
		long value = 0;
		for (byte digit : digits) {
			value = value * 10 + (digit - '0');
		}
		return value;
	}

	private static boolean applied(Object result) {
		return result instanceof Long count && count > 0;
	}

	/** Digits of a duration in milliseconds, as sent; never modified once made. */
	private record EncodedMillis(Duration duration, byte[] digits) {
	}

}
