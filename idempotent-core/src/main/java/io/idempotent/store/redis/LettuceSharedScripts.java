package io.idempotent.store.redis;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Runs the store's scripts straight on the native connection a {@link LettuceConnectionFactory} shares (its
 * default, standalone, sentinel or static master/replica), so a call costs the round trip and little else: no
 * {@code LettuceConnection} wrapper per call (each one looks its logger up), no converters, no reflection of the
 * synchronous API. The shared connection is fetched from the factory once and again whenever it is no longer
 * open (the factory was reset, stopped or restarted) or a call through it failed. Waits at most the factory's
 * command timeout, as the factory's own connections do. Not used for cluster-aware factories or factories that
 * do not share their connection (a pool): the store then goes through {@link RedisConnection}.
 */
final class LettuceSharedScripts {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			LettuceSharedScripts.class.getClassLoader());

	private final LettuceConnectionFactory factory;

	private volatile RedisAsyncCommands<byte[], byte[]> commands;

	private LettuceSharedScripts(LettuceConnectionFactory factory) {
		this.factory = factory;
	}

	/**
	 * The fast path for a factory, when it shares one native standalone connection.
	 * @param factory the store's factory
	 * @return the fast path, or null to go through {@link RedisConnection}
	 */
	static LettuceSharedScripts forFactory(RedisConnectionFactory factory) {
		if (!LETTUCE_PRESENT || !(factory instanceof LettuceConnectionFactory lettuce)) {
			return null;
		}
		return new LettuceSharedScripts(lettuce);
	}

	/**
	 * Runs a script by its SHA, sending its source when the server answers {@code NOSCRIPT}.
	 * @param sha the script's SHA-1
	 * @param source the script's source
	 * @param type the reply type
	 * @param key the script's one key
	 * @param args its arguments
	 * @return the reply (a list of byte arrays, a Long or bytes), or {@link #UNAVAILABLE} when the factory's
	 * connection cannot be used this way (the caller goes through {@link RedisConnection})
	 */
	Object eval(String sha, byte[] source, ReturnType type, byte[] key, byte[][] args) {
		RedisAsyncCommands<byte[], byte[]> connection = commands();
		if (connection == null) {
			return UNAVAILABLE;
		}
		byte[][] keys = { key };
		ScriptOutputType output = switch (type) {
			case MULTI -> ScriptOutputType.MULTI;
			case INTEGER -> ScriptOutputType.INTEGER;
			case BOOLEAN -> ScriptOutputType.BOOLEAN;
			case STATUS -> ScriptOutputType.STATUS;
			default -> ScriptOutputType.VALUE;
		};
		try {
			try {
				return await(connection.evalsha(sha, output, keys, args));
			}
			catch (RuntimeException ex) {
				if (!RedisIdempotencyStore.noScript(ex)) {
					throw ex;
				}
				return await(connection.eval(source, output, keys, args));
			}
		}
		catch (RuntimeException ex) {
			this.commands = null; // fetch the factory's connection again next time
			throw ex;
		}
	}

	/** What {@link #eval} answers when the factory's connection cannot be used directly. */
	static final Object UNAVAILABLE = new Object();

	private Object await(RedisFuture<Object> reply) {
		return LettuceFutures.awaitOrCancel(reply, this.factory.getTimeout(), TimeUnit.MILLISECONDS);
	}

	@SuppressWarnings("unchecked")
	private RedisAsyncCommands<byte[], byte[]> commands() {
		RedisAsyncCommands<byte[], byte[]> cached = this.commands;
		if (cached != null && cached.getStatefulConnection().isOpen()) {
			return cached;
		}
		if (!this.factory.getShareNativeConnection() || this.factory.isClusterAware()) {
			return null;
		}
		try (RedisConnection connection = this.factory.getConnection()) {
			if (connection.getNativeConnection() instanceof RedisAsyncCommands<?, ?> shared) {
				cached = (RedisAsyncCommands<byte[], byte[]>) shared;
				this.commands = cached;
				return cached;
			}
		}
		return null;
	}

}
