package io.idempotent.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;

/**
 * Duplicates per second through the engine on the embedded Redis, with the near cache off (one store round trip
 * each) and on (none), at 1 and 8 threads, over 1,000 completed keys. A measurement, not a test: run it with
 * {@code ./mvnw -B -o verify -pl idempotent-core -Dtest=NearCacheDuplicateMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dbench.nearcache=true} and read the printed table. Compare only within
 * one run.
 */
@EnabledIfSystemProperty(named = "bench.nearcache", matches = "true")
class NearCacheDuplicateMeasurement {

	private static final int KEYS = 1000;

	private static final Duration WARM_UP = Duration.ofSeconds(2);

	private static final Duration MEASURED = Duration.ofSeconds(4);

	@Test
	void measure() throws Throwable {
		LettuceConnectionFactory connections = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		connections.afterPropertiesSet();
		connections.start();
		try {
			RedisIdempotencyStore store = new RedisIdempotencyStore(connections, "near-bench-" + UUID.randomUUID());
			CaffeineNearCache cache = new CaffeineNearCache(10_000, Duration.ofMinutes(5), 4096, null);
			IdempotencyEngine engine = new IdempotencyEngine(store, IdempotencyObserver.NONE,
					new LeaseKeepAlive(store, IdempotencyObserver.NONE), Duration.ofSeconds(30), null, cache);
			StringBuilder table = new StringBuilder(
					"\n| threads | store (dup/s) | near cache (dup/s) | near / store |\n|---|---|---|---|\n");
			for (int threads : new int[] { 1, 8 }) {
				IdempotentOperation off = operation("bench-" + threads, false);
				IdempotentOperation on = off.settings().nearCache() ? off
						: new IdempotentOperation(off.name(), off.source(), off.settings().withNearCache(true));
				List<IdempotencyKey> keys = new ArrayList<>();
				for (int i = 0; i < KEYS; i++) {
					IdempotencyKey key = new IdempotencyKey(off.name(), "order-" + i);
					keys.add(key);
					engine.execute(on, key, CALL); // completes through the near-cache path, so it is kept
				}
				double viaStore = rate(engine, off, keys, threads);
				double near = rate(engine, on, keys, threads);
				table.append(String.format("| %d | %,.0f | %,.0f | %.1f× |%n", threads, viaStore, near, near / viaStore));
			}
			System.out.println(table);
			engine.close();
		}
		finally {
			connections.destroy();
		}
	}

	private static double rate(IdempotencyEngine engine, IdempotentOperation operation, List<IdempotencyKey> keys,
			int threads) throws Exception {
		run(engine, operation, keys, threads, WARM_UP);
		return run(engine, operation, keys, threads, MEASURED) / (MEASURED.toNanos() / 1e9);
	}

	private static long run(IdempotencyEngine engine, IdempotentOperation operation, List<IdempotencyKey> keys,
			int threads, Duration duration) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Long>> counts = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int offset = t * 97;
			counts.add(executor.submit(() -> {
				start.await();
				long deadline = System.nanoTime() + duration.toNanos();
				long done = 0;
				while (System.nanoTime() - deadline < 0) {
					for (int i = 0; i < 64; i++) {
						String replayed = duplicate(engine, operation, keys.get((int) ((offset + done) % keys.size())));
						if (!"done".equals(replayed)) {
							throw new IllegalStateException("not a duplicate: " + replayed);
						}
						done++;
					}
				}
				return done;
			}));
		}
		start.countDown();
		long total = 0;
		for (Future<Long> count : counts) {
			total += count.get();
		}
		executor.shutdown();
		return total;
	}

	private static String duplicate(IdempotencyEngine engine, IdempotentOperation operation, IdempotencyKey key) {
		try {
			return engine.execute(operation, key, CALL);
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static IdempotentOperation operation(String name, boolean nearCache) {
		return new IdempotentOperation(name, "method", new IdempotencySettings(Duration.ofSeconds(30),
				Duration.ofHours(1), true, FailureMode.FAIL_CLOSED, PayloadMismatch.REPLAY, false, nearCache));
	}

	private static final GuardedCall<String> CALL = new GuardedCall<>() {

		@Override
		public String proceed() {
			return "done";
		}

		@Override
		public byte[] encode(String result) {
			return result.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String replay(byte[] stored) {
			return new String(stored, StandardCharsets.UTF_8);
		}

	};

}
