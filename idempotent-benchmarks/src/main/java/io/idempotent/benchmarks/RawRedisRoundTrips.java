package io.idempotent.benchmarks;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

import io.idempotent.store.FencingTokens;
import io.idempotent.store.redis.RedisIdempotencyStore;

/**
 * The Redis round trips the guard makes for one message, issued directly: the store's own claim and completion
 * scripts (read from {@link RedisIdempotencyStore}, so the baseline follows any change to them), with the same
 * kind of arguments (a fencing token, the lease, a 32-byte fingerprint; the completion's empty result and the
 * retention), by {@code EVALSHA} on one Lettuce connection shared by every consumer thread, opened by the
 * application factory's own client (so with the same client resources and Redis command instrumentation as the
 * connection the store runs them on). No engine, no AOP, no key expression, no meters: what the guard adds on
 * top of these is its own cost.
 */
final class RawRedisRoundTrips implements DisposableBean {

	private static final byte[] FINGERPRINT = new byte[32];

	private static final byte[] ONE = { '1' };

	private static final byte[] LEASE = ascii("60000");

	private static final byte[] RETENTION = ascii("86400000");

	private static final byte[] EMPTY = new byte[0];

	private final StatefulRedisConnection<byte[], byte[]> connection;

	private final RedisCommands<byte[], byte[]> redis;

	private final String claimSha;

	private final String completeSha;

	private final String prefix;

	RawRedisRoundTrips(RedisConnectionFactory connectionFactory, String namespace) {
		// the application factory's own client: same client resources, so the same command instrumentation
		// (Boot's Lettuce observation, when an ObservationRegistry exists) as the store's round trips
		LettuceConnectionFactory lettuce = (LettuceConnectionFactory) connectionFactory;
		RedisStandaloneConfiguration standalone = lettuce.getStandaloneConfiguration();
		this.connection = ((RedisClient) lettuce.getRequiredNativeClient()).connect(ByteArrayCodec.INSTANCE,
				RedisURI.create(standalone.getHostName(), standalone.getPort()));
		this.redis = this.connection.sync();
		this.claimSha = this.redis.scriptLoad(script("CLAIM").getScriptAsString());
		this.completeSha = this.redis.scriptLoad(script("COMPLETE").getScriptAsString());
		this.prefix = "bench-raw:" + namespace.length() + ":" + namespace + ":";
	}

	/** What the claim script answered. */
	enum Claim {

		/** The key was new: the handler would run (and the key was completed). */
		RAN,

		/** The key was completed: a duplicate the guard acknowledges. */
		COMPLETED,

		/** The key is held by a run still going: a duplicate the guard refuses, for redelivery. */
		IN_PROGRESS

	}

	/**
	 * Claims {@code key} and, if the claim was won, completes it: the guard's two round trips for a first
	 * delivery, its one round trip for a duplicate.
	 * @return what the claim found
	 */
	Claim claimAndComplete(String key) {
		byte[][] redisKey = { (this.prefix + key).getBytes(StandardCharsets.UTF_8) };
		byte[] token = ascii(FencingTokens.next());
		List<Object> reply = this.redis.evalsha(this.claimSha, ScriptOutputType.MULTI, redisKey, token, LEASE, ONE,
				FINGERPRINT);
		byte state = ((byte[]) reply.get(0))[0];
		if (state == 'C') {
			return Claim.COMPLETED;
		}
		if (state != 'A') {
			return Claim.IN_PROGRESS;
		}
		this.redis.evalsha(this.completeSha, ScriptOutputType.INTEGER, redisKey, token, EMPTY, RETENTION);
		return Claim.RAN;
	}

	@Override
	public void destroy() {
		this.connection.close(); // the client is the factory's
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
