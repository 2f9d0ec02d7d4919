package io.idempotent.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.idempotent.core.DuplicateLevel;
import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencyPayloadMismatchException;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.Sha256;

/**
 * The near cache through the engine on a real store (subclasses choose it), with the store's calls counted: a
 * duplicate of a key this instance completed costs no store call, and the cache never answers what the store
 * would not (a running call, a failed one, an unconfirmed or fenced-out completion, a payload mismatch, an
 * evicted key, a record past its retention).
 */
public abstract class NearCacheEngineTests {

	/** The cache's clock, moved by the tests (the store runs on real time). */
	private final AtomicLong clock = new AtomicLong(System.nanoTime());

	protected CountingStore store;

	private CaffeineNearCache cache;

	private IdempotencyEngine engine;

	private final LevelObserver observer = new LevelObserver();

	private final AtomicInteger runs = new AtomicInteger();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	/**
	 * The real store under the cache.
	 * @return a store
	 */
	protected abstract IdempotencyStore createStore();

	@BeforeEach
	void startEngine() {
		this.store = new CountingStore(createStore());
		this.cache = new CaffeineNearCache(1000, Duration.ofHours(1), 64, null, this.clock::get);
		this.engine = new IdempotencyEngine(this.store, this.observer, new LeaseKeepAlive(this.store, this.observer),
				Duration.ofSeconds(20), null, this.cache);
	}

	@AfterEach
	void stopEngine() {
		this.engine.close();
		this.executor.shutdownNow();
	}

	@Test
	void aDuplicateOfAKeyThisInstanceCompletedIsAnsweredWithoutAStoreCall() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		int acquires = this.store.acquires.get();
		for (int i = 0; i < 100; i++) {
			assertThat(this.engine.execute(operation, key, call("again"))).isEqualTo("first");
		}
		assertThat(this.store.acquires).hasValue(acquires);
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.count(DuplicateLevel.NEAR)).isEqualTo(100);
		assertThat(this.observer.count(DuplicateLevel.STORE)).isZero();
	}

	@Test
	void anOperationThatDoesNotOptInGoesToTheStoreEveryTime() throws Throwable {
		IdempotentOperation operation = new IdempotentOperation("plain", "method",
				operation(Duration.ofHours(1), PayloadMismatch.REPLAY).settings().withNearCache(false));
		IdempotencyKey key = new IdempotencyKey("plain", UUID.randomUUID().toString());
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		assertThat(this.engine.execute(operation, key, call("again"))).isEqualTo("first");
		assertThat(this.store.acquires).hasValue(2);
		assertThat(this.cache.find(key)).isNull();
		assertThat(this.observer.count(DuplicateLevel.STORE)).isEqualTo(1);
	}

	@Test
	void aRunningCallIsNeverCachedSoItsDuplicateIsRefusedAsInProgress() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Future<String> first = this.executor.submit(() -> execute(operation, key, new Call("first", () -> {
			inside.countDown();
			finish.await(10, TimeUnit.SECONDS);
		})));
		assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.cache.find(key)).isNull();
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("duplicate")))
			.isInstanceOf(IdempotencyInProgressException.class);
		finish.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
		assertThat(this.engine.execute(operation, key, call("late duplicate"))).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.count(DuplicateLevel.NEAR)).isEqualTo(1);
	}

	@Test
	void aFailedCallLeavesNothingCachedAndItsRetryRuns() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		IllegalStateException failure = new IllegalStateException("boom");
		assertThatThrownBy(() -> this.engine.execute(operation, key, new Call("first", () -> {
			throw failure;
		}))).isSameAs(failure);
		assertThat(this.cache.find(key)).isNull();
		assertThat(this.engine.execute(operation, key, call("retry"))).isEqualTo("retry");
		assertThat(this.runs).hasValue(2);
	}

	@Test
	void anErrorThrownByTheCallLeavesNothingCached() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThatThrownBy(() -> this.engine.execute(operation, key, new Call("first", () -> {
			throw new AssertionError("an Error, not an exception");
		}))).isInstanceOf(AssertionError.class);
		assertThat(this.cache.find(key)).isNull();
		assertThat(this.engine.execute(operation, key, call("retry"))).isEqualTo("retry");
	}

	@Test
	void aCompletionTheStoreFailedIsNotCachedWhileItIsRetried() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		this.store.failCompletions.set(2);
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		assertThat(this.cache.find(key)).isNull();
		// until the retry lands the key is held in the store: the duplicate is refused, not answered from the cache
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("duplicate")))
			.isInstanceOf(IdempotencyInProgressException.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		assertThat(this.engine.execute(operation, key, call("duplicate"))).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.count(DuplicateLevel.STORE)).isEqualTo(1);
	}

	@Test
	void aCompletionFencedOutByATakeoverIsNotCached() throws Throwable {
		// no keep-alive and a short lease: the call overruns it and another worker takes the key over
		IdempotentOperation operation = new IdempotentOperation("near", "method",
				new IdempotencySettings(Duration.ofMillis(300), Duration.ofHours(1), false, FailureMode.FAIL_CLOSED,
						PayloadMismatch.REPLAY, false, true));
		IdempotencyKey key = newKey();
		Call overrunning = new Call("overran", () -> await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.store.tryAcquire(key, Duration.ofMinutes(5), null).status() == AcquireResult.Status.ACQUIRED));
		assertThat(this.engine.execute(operation, key, overrunning)).isEqualTo("overran");
		assertThat(this.cache.find(key)).isNull();
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("duplicate")))
			.isInstanceOf(IdempotencyInProgressException.class);
	}

	@Test
	void aPayloadMismatchIsStillDetectedOnANearHit() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REFUSE);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, payload("first", "body-1"))).isEqualTo("first");
		int acquires = this.store.acquires.get();
		assertThatThrownBy(() -> this.engine.execute(operation, key, payload("second", "body-2")))
			.isInstanceOf(IdempotencyPayloadMismatchException.class);
		assertThat(this.engine.execute(operation, key, payload("third", "body-1"))).isEqualTo("first");
		assertThat(this.store.acquires).hasValue(acquires);
		assertThat(this.observer.mismatches(DuplicateLevel.NEAR)).isEqualTo(1);
		// the store answers the same way once the cache has forgotten the key
		this.cache.clear();
		assertThatThrownBy(() -> this.engine.execute(operation, key, payload("fourth", "body-2")))
			.isInstanceOf(IdempotencyPayloadMismatchException.class);
		assertThat(this.observer.mismatches(DuplicateLevel.STORE)).isEqualTo(1);
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void anEntryExpiresWhenTheRecordsRetentionEndsBeforeTheTtl() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofSeconds(30), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		this.clock.addAndGet(Duration.ofSeconds(29).toNanos());
		assertThat(this.cache.find(key)).isNotNull();
		this.clock.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(this.cache.find(key)).isNull();
		int acquires = this.store.acquires.get();
		// the store still holds the record by its own (real) clock: the duplicate is answered there
		assertThat(this.engine.execute(operation, key, call("again"))).isEqualTo("first");
		assertThat(this.store.acquires).hasValue(acquires + 1);
	}

	@Test
	void anEntryExpiresAtTheTtlWhenTheRetentionIsLonger() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofDays(2), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		this.clock.addAndGet(Duration.ofMinutes(59).toNanos());
		assertThat(this.cache.find(key)).isNotNull();
		this.clock.addAndGet(Duration.ofMinutes(1).toNanos());
		assertThat(this.cache.find(key)).isNull();
	}

	@Test
	void anEvictionThroughTheEngineClearsTheEntrySoTheNextCallRunsAgain() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		assertThat(this.engine.evict(key)).isTrue();
		assertThat(this.cache.find(key)).isNull();
		assertThat(this.engine.execute(operation, key, call("second"))).isEqualTo("second");
		assertThat(this.engine.execute(operation, key, call("third"))).isEqualTo("second");
		assertThat(this.runs).hasValue(2);
	}

	@Test
	void aRecordTheStoreLostBehindTheEnginesBackIsAnsweredUntilTheTtlEndsThenRunsAgain() throws Throwable {
		// the documented staleness bound: an eviction on another instance (or by the store itself) is seen here
		// when the entry expires, at most the cache's ttl later
		IdempotentOperation operation = operation(Duration.ofDays(2), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		assertThat(this.store.evict(key)).isTrue();
		assertThat(this.engine.execute(operation, key, call("second"))).isEqualTo("first");
		this.clock.addAndGet(Duration.ofHours(1).toNanos());
		assertThat(this.engine.execute(operation, key, call("second"))).isEqualTo("second");
		assertThat(this.runs).hasValue(2);
	}

	@Test
	void aCompletionMarkedBeforeAnEvictionIsNotKept() {
		IdempotencyKey key = newKey();
		var mark = this.cache.mark();
		this.cache.invalidate(key);
		this.cache.completed(mark, key, bytes("first"), null, Duration.ofHours(1));
		assertThat(this.cache.find(key)).isNull();
		this.cache.completed(this.cache.mark(), key, bytes("first"), null, Duration.ofHours(1));
		assertThat(this.cache.find(key)).isNotNull();
	}

	@Test
	void aResultOverTheSizeBoundIsNotCachedAndItsDuplicatesGoToTheStore() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		String big = "x".repeat(65);
		assertThat(this.engine.execute(operation, key, call(big))).isEqualTo(big);
		assertThat(this.cache.find(key)).isNull();
		assertThat(this.engine.execute(operation, key, call("again"))).isEqualTo(big);
		assertThat(this.observer.count(DuplicateLevel.STORE)).isEqualTo(1);
	}

	@Test
	void aLongKeyIsCachedUnderItsStoredHash() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		String raw = "order-" + "é".repeat(200) + UUID.randomUUID();
		assertThat(this.engine.execute(operation, IdempotencyKey.of("near", raw), call("first"))).isEqualTo("first");
		int acquires = this.store.acquires.get();
		assertThat(this.engine.execute(operation, IdempotencyKey.of("near", raw), call("again"))).isEqualTo("first");
		assertThat(this.engine.execute(operation, IdempotencyKey.of("near", raw + "x"), call("other"))).isEqualTo("other");
		assertThat(this.store.acquires).hasValue(acquires + 1);
	}

	@Test
	void manyThreadsRacingOnOneKeyRunItOnceAndThenAllHitTheCache() throws Exception {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		int threads = 16;
		CountDownLatch start = new CountDownLatch(1);
		List<Future<String>> outcomes = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			String mine = "result-" + i;
			outcomes.add(this.executor.submit(() -> {
				start.await();
				try {
					return this.engine.execute(operation, key, call(mine));
				}
				catch (IdempotencyInProgressException ex) {
					return "in-progress";
				}
				catch (Throwable ex) {
					throw new IllegalStateException(ex);
				}
			}));
		}
		start.countDown();
		List<String> results = new ArrayList<>();
		for (Future<String> outcome : outcomes) {
			results.add(outcome.get(30, TimeUnit.SECONDS));
		}
		assertThat(this.runs).hasValue(1);
		String winner = results.stream().filter((r) -> r.startsWith("result-")).findFirst().orElseThrow();
		assertThat(results).allMatch((r) -> r.equals(winner) || r.equals("in-progress"));
		// once completed, every thread is answered from the cache
		int acquires = this.store.acquires.get();
		List<Future<String>> after = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			after.add(this.executor.submit(() -> execute(operation, key, call("after"))));
		}
		for (Future<String> outcome : after) {
			assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(winner);
		}
		assertThat(this.store.acquires).hasValue(acquires);
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void aCallerReusingItsResultBufferAfterCompletingDoesNotChangeWhatDuplicatesGet() {
		// the stores copy (or send) the bytes when completing; the cache must not keep the caller's array either
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		IdempotencyKey key = newKey();
		io.idempotent.core.Attempt first = this.engine.begin(operation, key);
		assertThat(first.status()).isEqualTo(io.idempotent.core.Attempt.Status.ACQUIRED);
		byte[] buffer = bytes("first");
		first.complete(buffer);
		java.util.Arrays.fill(buffer, (byte) 'x');
		io.idempotent.core.Attempt duplicate = this.engine.begin(operation, key);
		assertThat(duplicate.status()).isEqualTo(io.idempotent.core.Attempt.Status.COMPLETED);
		assertThat(this.observer.count(DuplicateLevel.NEAR)).isEqualTo(1);
		assertThat(new String(duplicate.storedResult(), StandardCharsets.UTF_8)).isEqualTo("first");
	}

	@Test
	void thirtyTwoThreadsRacingOnFewKeysWithEvictionsInBetweenRunEachKeyOncePerEvictionAndEndAsTheStoreSays()
			throws Exception {
		IdempotentOperation operation = operation(Duration.ofHours(1), PayloadMismatch.REPLAY);
		List<IdempotencyKey> keys = List.of(newKey(), newKey(), newKey(), newKey());
		Map<IdempotencyKey, AtomicInteger> executions = new ConcurrentHashMap<>();
		Map<IdempotencyKey, AtomicInteger> evictions = new ConcurrentHashMap<>();
		keys.forEach((key) -> {
			executions.put(key, new AtomicInteger());
			evictions.put(key, new AtomicInteger());
		});
		AtomicInteger sequence = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < 32; t++) {
			int thread = t;
			workers.add(this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < 200; i++) {
					IdempotencyKey key = keys.get((thread + i) % keys.size());
					if (thread < 2 && i % 25 == 0) {
						evictions.get(key).incrementAndGet(); // counted first: a run may follow at once
						this.engine.evict(key);
						continue;
					}
					try {
						this.engine.execute(operation, key, counted(executions.get(key), sequence));
					}
					catch (IdempotencyInProgressException | io.idempotent.core.IdempotencyLeaseLostException ex) {
						// a running call's duplicate, or a call whose running record was evicted
					}
					catch (Throwable ex) {
						throw new IllegalStateException(ex);
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(120, TimeUnit.SECONDS);
		}
		for (IdempotencyKey key : keys) {
			assertThat(executions.get(key).get()).as("runs of one key").isLessThanOrEqualTo(evictions.get(key).get() + 1);
			String answered;
			try {
				answered = this.engine.execute(operation, key, counted(executions.get(key), sequence));
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
			AcquireResult inStore = this.store.tryAcquire(key, Duration.ofSeconds(30));
			assertThat(inStore.status()).isEqualTo(AcquireResult.Status.COMPLETED);
			assertThat(new String(io.idempotent.core.TraceLink.unwrap(inStore.result()), StandardCharsets.UTF_8))
				.as("the cache answers what the store holds").isEqualTo(answered);
		}
	}

	private static GuardedCall<String> counted(AtomicInteger executions, AtomicInteger sequence) {
		return new GuardedCall<>() {

			@Override
			public String proceed() {
				executions.incrementAndGet();
				return "run-" + sequence.incrementAndGet();
			}

			@Override
			public byte[] encode(String value) {
				return bytes(value);
			}

			@Override
			public String replay(byte[] stored) {
				return new String(stored, StandardCharsets.UTF_8);
			}

		};
	}

	private String execute(IdempotentOperation operation, IdempotencyKey key, GuardedCall<String> call) {
		try {
			return this.engine.execute(operation, key, call);
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static IdempotentOperation operation(Duration retention, PayloadMismatch mismatch) {
		return new IdempotentOperation("near", "method", new IdempotencySettings(Duration.ofSeconds(30), retention,
				true, FailureMode.FAIL_CLOSED, mismatch, false, true));
	}

	private static IdempotencyKey newKey() {
		return new IdempotencyKey("near", UUID.randomUUID().toString());
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private Call call(String result) {
		return new Call(result, () -> {
		});
	}

	private Call payload(String result, String body) {
		return new Call(result, () -> {
		}) {
			@Override
			public byte[] fingerprint() {
				return Sha256.digest(bytes(body));
			}
		};
	}

	@FunctionalInterface
	interface Work {

		void run() throws Throwable;

	}

	class Call implements GuardedCall<String> {

		private final String result;

		private final Work work;

		Call(String result, Work work) {
			this.result = result;
			this.work = work;
		}

		@Override
		public String proceed() throws Throwable {
			NearCacheEngineTests.this.runs.incrementAndGet();
			this.work.run();
			return this.result;
		}

		@Override
		public byte[] encode(String value) {
			return bytes(value);
		}

		@Override
		public String replay(byte[] stored) {
			return new String(stored, StandardCharsets.UTF_8);
		}

	}

	/** Counts duplicates by level, as the meters do. */
	static final class LevelObserver implements IdempotencyObserver {

		private final Map<DuplicateLevel, AtomicInteger> completed = new ConcurrentHashMap<>();

		private final Map<DuplicateLevel, AtomicInteger> mismatched = new ConcurrentHashMap<>();

		@Override
		public void duplicate(IdempotentOperation operation, AcquireResult.Status state, DuplicateLevel level) {
			if (state == AcquireResult.Status.COMPLETED) {
				this.completed.computeIfAbsent(level, (l) -> new AtomicInteger()).incrementAndGet();
			}
		}

		@Override
		public void payloadMismatch(IdempotentOperation operation, DuplicateLevel level) {
			this.mismatched.computeIfAbsent(level, (l) -> new AtomicInteger()).incrementAndGet();
		}

		int count(DuplicateLevel level) {
			AtomicInteger found = this.completed.get(level);
			return (found != null) ? found.get() : 0;
		}

		int mismatches(DuplicateLevel level) {
			AtomicInteger found = this.mismatched.get(level);
			return (found != null) ? found.get() : 0;
		}

	}

}
