package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.memory.InMemoryIdempotencyStore;
import io.idempotent.store.IdempotencyKey;

class IdempotencyEngineTests {

	private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

	private final RecordingObserver observer = new RecordingObserver();

	private final LeaseKeepAlive keepAlive = new LeaseKeepAlive(this.store, this.observer);

	private final IdempotencyEngine engine = new IdempotencyEngine(this.store, this.observer, this.keepAlive);

	private final AtomicInteger runs = new AtomicInteger();

	@AfterEach
	void stopKeepAlive() {
		this.keepAlive.close();
	}

	@Test
	void firstCallRunsAndADuplicateGetsItsResultWithoutRunning() throws Throwable {
		IdempotentOperation operation = operation(IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "order-1");
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		assertThat(this.engine.execute(operation, key, call("second"))).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.duplicates).containsExactly(AcquireResult.Status.COMPLETED);
		assertThat(this.observer.executions).containsExactly(true);
	}

	@Test
	void aDuplicateOfARunningCallIsRefusedWithoutRunning() throws Throwable {
		IdempotentOperation operation = operation(IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "order-2");
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		Future<String> first = executor.submit(() -> {
			try {
				return this.engine.execute(operation, key, blockingCall(running, finish));
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("duplicate")))
			.isInstanceOf(IdempotencyInProgressException.class)
			.hasMessageContaining("'op'")
			.satisfies((ex) -> assertThat(ex.getStackTrace()).isEmpty());
		finish.countDown();
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("slow");
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.duplicates).containsExactly(AcquireResult.Status.IN_PROGRESS);
		executor.shutdown();
	}

	@Test
	void aFailedCallReleasesItsKeyAndRethrowsTheSameException() throws Throwable {
		IdempotentOperation operation = operation(IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "order-3");
		IllegalArgumentException failure = new IllegalArgumentException("boom");
		assertThatThrownBy(() -> this.engine.execute(operation, key, failingCall(failure))).isSameAs(failure);
		assertThat(this.store.find(key)).isEmpty();
		assertThat(this.engine.execute(operation, key, call("retried"))).isEqualTo("retried");
		assertThat(this.runs).hasValue(2);
		assertThat(this.observer.executions).containsExactly(false, true);
	}

	@Test
	void aCallThatOverrunsItsLeaseIsFencedOutWhenAnotherTookOver() throws Throwable {
		IdempotencySettings noKeepAlive = new IdempotencySettings(Duration.ofMillis(200), Duration.ofMinutes(1), false,
				FailureMode.FAIL_CLOSED);
		IdempotentOperation operation = operation(noKeepAlive);
		IdempotencyKey key = IdempotencyKey.of("op", "order-4");
		GuardedCall<String> overrunning = new TestCall("stale", () -> {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.store.find(key).isEmpty());
			// the lease has expired: a redelivery takes the key over and completes first
			assertThat(this.engine.execute(operation, key, call("successor"))).isEqualTo("successor");
		});
		assertThat(this.engine.execute(operation, key, overrunning)).isEqualTo("stale");
		assertThat(this.observer.fenced).containsExactly("complete");
		assertThat(this.engine.execute(operation, key, call("third"))).isEqualTo("successor");
	}

	@Test
	void keepAliveHoldsTheLeaseOfASlowCall() throws Throwable {
		IdempotencySettings shortLease = new IdempotencySettings(Duration.ofMillis(450), Duration.ofMinutes(1), true,
				FailureMode.FAIL_CLOSED);
		IdempotentOperation operation = operation(shortLease);
		IdempotencyKey key = IdempotencyKey.of("op", "order-5");
		GuardedCall<String> slow = new TestCall("slow", () -> {
			// more than three leases long: only renewals keep the key held
			await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> {
				try {
					this.engine.execute(operation, key, call("duplicate"));
					return false;
				}
				catch (IdempotencyInProgressException ex) {
					return true;
				}
				catch (Throwable ex) {
					throw new IllegalStateException(ex);
				}
			});
		});
		assertThat(this.engine.execute(operation, key, slow)).isEqualTo("slow");
		assertThat(this.observer.fenced).isEmpty();
		assertThat(this.keepAlive.tracked()).isZero();
		assertThat(this.store.find(key)).hasValueSatisfying((r) -> assertThat(r.resultSize()).isPositive());
	}

	@Test
	void aResultThatIsNotToBeKeptReleasesTheKey() throws Throwable {
		IdempotentOperation operation = operation(IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "order-6");
		TestCall notKept = new TestCall("503", () -> {
		}) {
			@Override
			public boolean completes(String result) {
				return false;
			}
		};
		assertThat(this.engine.execute(operation, key, notKept)).isEqualTo("503");
		assertThat(this.engine.execute(operation, key, call("ok"))).isEqualTo("ok");
		assertThat(this.runs).hasValue(2);
	}

	@Test
	void aStoreOutageFailsClosedByDefaultAndNeverRuns() {
		IdempotencyEngine downEngine = new IdempotencyEngine(new DownStore(), this.observer, this.keepAlive);
		assertThatThrownBy(() -> downEngine.execute(operation(IdempotencySettings.DEFAULTS),
				IdempotencyKey.of("op", "k"), call("x")))
			.isInstanceOf(IdempotencyStoreException.class);
		assertThat(this.runs).hasValue(0);
	}

	@Test
	void aStoreOutageRunsUnguardedWhenFailOpen() throws Throwable {
		IdempotencySettings open = new IdempotencySettings(Duration.ofMinutes(1), Duration.ofHours(1), true,
				FailureMode.FAIL_OPEN);
		IdempotencyEngine downEngine = new IdempotencyEngine(new DownStore(), this.observer, this.keepAlive);
		assertThat(downEngine.execute(operation(open), IdempotencyKey.of("op", "k"), call("x"))).isEqualTo("x");
		assertThat(this.runs).hasValue(1);
		assertThat(this.observer.failedOpen).hasValue(1);
	}

	@Test
	void sixtyFourThreadsOnOneKeyRunTheCallOnce() throws Exception {
		IdempotentOperation operation = operation(IdempotencySettings.DEFAULTS);
		ExecutorService executor = Executors.newFixedThreadPool(64);
		for (int round = 0; round < 50; round++) {
			this.runs.set(0);
			IdempotencyKey key = IdempotencyKey.of("op", "race-" + round);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<String>> outcomes = new ArrayList<>();
			for (int i = 0; i < 64; i++) {
				outcomes.add(executor.submit(() -> {
					start.await();
					try {
						return this.engine.execute(operation, key, call("winner"));
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
			for (Future<String> outcome : outcomes) {
				assertThat(outcome.get(10, TimeUnit.SECONDS)).isIn("winner", "in-progress");
			}
			assertThat(this.runs).as("runs in round %d", round).hasValue(1);
		}
		executor.shutdown();
	}

	private static IdempotentOperation operation(IdempotencySettings settings) {
		return new IdempotentOperation("op", "method", settings);
	}

	private GuardedCall<String> call(String result) {
		return new TestCall(result, () -> {
		});
	}

	private GuardedCall<String> blockingCall(CountDownLatch running, CountDownLatch finish) {
		return new TestCall("slow", () -> {
			running.countDown();
			finish.await();
		});
	}

	private GuardedCall<String> failingCall(RuntimeException failure) {
		return new TestCall("never", () -> {
			throw failure;
		});
	}

	interface Work {

		void run() throws Throwable;

	}

	class TestCall implements GuardedCall<String> {

		private final String result;

		private final Work work;

		TestCall(String result, Work work) {
			this.result = result;
			this.work = work;
		}

		@Override
		public String proceed() throws Throwable {
			IdempotencyEngineTests.this.runs.incrementAndGet();
			this.work.run();
			return this.result;
		}

		@Override
		public byte[] encode(String value) {
			return value.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String replay(byte[] stored) {
			return new String(stored, StandardCharsets.UTF_8);
		}

	}

	static class RecordingObserver implements IdempotencyObserver {

		final List<AcquireResult.Status> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();

		final List<Boolean> executions = new java.util.concurrent.CopyOnWriteArrayList<>();

		final List<String> fenced = new java.util.concurrent.CopyOnWriteArrayList<>();

		final AtomicInteger failedOpen = new AtomicInteger();

		final AtomicInteger mismatches = new AtomicInteger();

		final AtomicInteger completionFailures = new AtomicInteger();

		@Override
		public void payloadMismatch(IdempotentOperation operation) {
			this.mismatches.incrementAndGet();
		}

		@Override
		public void completionFailed(IdempotentOperation operation) {
			this.completionFailures.incrementAndGet();
		}

		@Override
		public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
			this.duplicates.add(state);
		}

		@Override
		public void executed(IdempotentOperation operation, boolean success, long nanos) {
			this.executions.add(success);
		}

		@Override
		public void fencedOut(IdempotentOperation operation, String transition) {
			this.fenced.add(transition);
		}

		@Override
		public void failedOpen(IdempotentOperation operation) {
			this.failedOpen.incrementAndGet();
		}

	}

	/** A store whose server is down: the engine's reaction to an outage is what is under test here. */
	static class DownStore implements IdempotencyStore {

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public boolean release(IdempotencyKey key, String token) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public boolean renew(IdempotencyKey key, String token, Duration lease) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public Optional<IdempotencyRecord> find(IdempotencyKey key) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public boolean evict(IdempotencyKey key) {
			throw new IdempotencyStoreException("connection refused");
		}

		@Override
		public String type() {
			return "down";
		}

	}

}
