package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.RecordState;
import io.idempotent.store.IdempotencyKey;

/**
 * Every path out of a claimed call ends the claim, and a claim is never lost in silence: completions the store
 * fails are retried while the key stays held, an {@link Error} after the work took effect still completes,
 * a result that cannot be stored is never replayed as a different answer, and one hanging renewal does not
 * cost other calls their leases. Subclasses choose the real store underneath the scripted faults.
 */
abstract class EngineClaimEndingTests {

	final ScriptedStore store = new ScriptedStore(createStore());

	final IdempotencyEngineTests.RecordingObserver observer = new IdempotencyEngineTests.RecordingObserver();

	final IdempotencyEngine engine = new IdempotencyEngine(this.store, this.observer, Duration.ofSeconds(20));

	final AtomicInteger runs = new AtomicInteger();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	abstract IdempotencyStore createStore();

	@AfterEach
	void stopEngine() {
		this.store.releaseHangingRenewals.countDown();
		this.engine.close();
		this.executor.shutdownNow();
	}

	@Test
	void aCompletionTheStoreFailsIsRetriedWhileTheKeyStaysHeldSoTheWorkNeverRunsTwice() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		// back-off 100 + 200 + 400 + 800 + 1,600 ms: at least 3.1 s of failing completions, over five leases
		this.store.failCompletions.set(5);
		long start = System.nanoTime();
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		// redeliveries while the completion is retried are refused as in progress, never run, even after the
		// lease would have run out twice; then the retried completion lands and they get the first result
		java.util.List<Long> heldAfterMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
			String outcome = outcome(operation, key);
			if (outcome.equals("in-progress")) {
				heldAfterMillis.add((System.nanoTime() - start) / 1_000_000);
			}
			return outcome.equals("first");
		});
		assertThat(this.runs).hasValue(1);
		assertThat(heldAfterMillis).as("refused as in progress after two leases").anyMatch((millis) -> millis > 1200);
		assertThat(this.observer.fenced).isEmpty();
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void aCompletionWhoseAnswerWasLostAfterItReachedTheStoreIsNoFalseAlarm() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofSeconds(5));
		IdempotencyKey key = newKey();
		this.store.failAfterCompleting.set(1);
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		assertThat(this.observer.fenced).isEmpty();
		assertThat(this.observer.completionFailures).hasValue(0);
		assertThat(outcome(operation, key)).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void aRenewalRefusedBecauseTheLostAnswerCompletedTheRecordIsNoAlarmEither() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMillis(1500));
		IdempotencyKey key = newKey();
		// the first write reaches the store but its answer is lost; the next retries fail too (the outage goes on)
		// while the keep-alive, a third of the lease later, finds the record COMPLETED
		this.store.failAfterCompleting.set(1);
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		this.store.failCompletions.set(3); // retries at about 100, 300 and 700 ms fail; renewal at 500 ms
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		assertThat(this.observer.fenced).isEmpty();
		assertThat(this.observer.completionFailures).hasValue(0);
		assertThat(outcome(operation, key)).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void aRetriedCompletionThatFindsASuccessorsCompletedRecordReportsTheTakeoverInsteadOfClaimingIt()
			throws Throwable {
		// keep-alive off: while the completion is retried the lease runs out and another caller takes the key over
		IdempotentOperation operation = new IdempotentOperation("op", "method",
				new IdempotencySettings(Duration.ofMillis(300), Duration.ofMinutes(5), false, FailureMode.FAIL_CLOSED));
		IdempotencyKey key = newKey();
		this.store.failCompletions.set(3); // retries at about 100, 300 and 700 ms fail, the next at 1.5 s does not
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		await().atMost(Duration.ofSeconds(5)).until(() -> outcome(operation, key).equals("duplicate ran"));
		assertThat(this.runs).hasValue(2);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		// the work ran twice: that must not pass as "recorded by an earlier attempt"
		assertThat(this.observer.fenced).containsExactly("complete");
	}

	@Test
	void aCompletionThatKeepsFailingIsGivenUpAfterTheLimitCountedAndTheKeyLetGo() throws Throwable {
		IdempotencyEngine bounded = new IdempotencyEngine(this.store, this.observer, Duration.ofMillis(400));
		try {
			IdempotentOperation operation = operation(Duration.ofMillis(600));
			this.store.failCompletions.set(Integer.MAX_VALUE);
			assertThat(bounded.execute(operation, newKey(), call("first"))).isEqualTo("first");
			await().atMost(Duration.ofSeconds(10)).until(() -> this.observer.completionFailures.get() == 1);
			assertThat(bounded.claimsHeld()).isZero();
		}
		finally {
			bounded.close();
		}
	}

	@Test
	void anErrorFromTheStoresCompletionDoesNotHoldTheKeyForever() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		this.store.errorOnComplete.set(1);
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("first")))
			.isInstanceOf(NoClassDefFoundError.class);
		// the work took effect: the completion is retried, then the key replays; never held until restart
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		assertThat(outcome(operation, key)).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void anErrorFromTheStoreWhileRetryingACompletionDoesNotHoldTheKeyForever() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		// the first completion fails with an exception, its first retry with an Error
		this.store.failCompletions.set(1);
		this.store.errorOnComplete.set(1);
		assertThat(this.engine.execute(operation, key, call("first"))).isEqualTo("first");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		assertThat(outcome(operation, key)).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void anErrorFromTheStoresReleaseDoesNotHoldTheKeyForever() {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		this.store.errorOnRelease.set(1);
		assertThatThrownBy(() -> this.engine.execute(operation, key, new Call("x", () -> {
			throw new IllegalStateException("the work failed");
		}))).isInstanceOf(Throwable.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.claimsHeld() == 0);
		// the claim expires with its lease: a redelivery runs
		await().atMost(Duration.ofSeconds(10)).until(() -> outcome(operation, key).equals("duplicate ran"));
	}

	@Test
	void anErrorFromTheCodecStillCompletesTheKeyAndDuplicatesAreToldTheResultIsUnavailable() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMinutes(1));
		IdempotencyKey key = newKey();
		GuardedCall<String> unencodable = new Call("ticket", () -> {
		}) {
			@Override
			public byte[] encode(String value) {
				throw new StackOverflowError("lazy getter recursion");
			}
		};
		assertThatThrownBy(() -> this.engine.execute(operation, key, unencodable)).isInstanceOf(StackOverflowError.class);
		assertThat(this.store.find(key)).hasValueSatisfying((r) -> assertThat(r.state()).isEqualTo(RecordState.COMPLETED));
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("second")))
			.isInstanceOf(IdempotencyResultUnavailableException.class)
			.hasMessageContaining("'op'")
			.hasMessageContaining("StackOverflowError");
		assertThat(this.runs).hasValue(1);
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void anErrorFromAnObserverAfterTheWorkTookEffectStillCompletesTheKey() throws Throwable {
		IdempotencyObserver failing = new IdempotencyObserver() {
			@Override
			public void executed(IdempotentOperation operation, boolean success, long nanos) {
				throw new AssertionError("observer bug");
			}
		};
		IdempotencyEngine engine = new IdempotencyEngine(this.store, failing, Duration.ofSeconds(5));
		try {
			IdempotentOperation operation = operation(Duration.ofMinutes(1));
			IdempotencyKey key = newKey();
			assertThatThrownBy(() -> engine.execute(operation, key, call("first"))).isInstanceOf(AssertionError.class);
			assertThat(engine.claimsHeld()).isZero();
			assertThat(engine.execute(operation, key, call("second"))).isEqualTo("first");
			// an Error from the observer of a failed call still releases
			IdempotencyKey failed = newKey();
			assertThatThrownBy(() -> engine.execute(operation, failed, new Call("x", () -> {
				throw new IllegalStateException("boom");
			}))).isInstanceOf(AssertionError.class);
			assertThat(engine.claimsHeld()).isZero();
			assertThat(this.store.find(failed)).isEmpty();
			assertThat(this.runs).hasValue(2);
		}
		finally {
			engine.close();
		}
	}

	@Test
	void anAttemptDrivenByATransportEndsOnAnErrorThroughFinallyRelease() {
		IdempotentOperation operation = operation(Duration.ofMinutes(1));
		IdempotencyKey key = newKey();
		Attempt attempt = this.engine.begin(operation, key);
		assertThat(attempt.status()).isEqualTo(Attempt.Status.ACQUIRED);
		assertThatThrownBy(() -> {
			try {
				throw new OutOfMemoryError("while writing the response");
			}
			finally {
				attempt.release();
			}
		}).isInstanceOf(OutOfMemoryError.class);
		assertThat(this.engine.claimsHeld()).isZero();
		assertThat(this.store.find(key)).isEmpty();
		Attempt completed = this.engine.begin(operation, newKey());
		completed.complete("done".getBytes(StandardCharsets.UTF_8));
		completed.release(); // no-op after complete
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void aClaimATransportDropsWithoutEndingItStopsBeingKeptAliveSoTheKeyExpires() {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		dropAfterAnError(operation, key);
		// a transport whose finish threw an Error it did not catch: the attempt is garbage, never ended
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			System.gc();
			return this.engine.claimsHeld() == 0;
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> this.store.find(key).isEmpty());
		assertThat(this.engine.begin(operation, key).status()).isEqualTo(Attempt.Status.ACQUIRED);
	}

	private void dropAfterAnError(IdempotentOperation operation, IdempotencyKey key) {
		Attempt attempt = this.engine.begin(operation, key);
		assertThat(attempt.status()).isEqualTo(Attempt.Status.ACQUIRED);
		assertThat(this.engine.claimsHeld()).isEqualTo(1);
	}

	@Test
	void aResultOverTheStoresLimitCompletesTheKeySoItNeverRunsTwice() throws Throwable {
		this.store.maxResultSize = 4;
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(operation, key, call("far too large"))).isEqualTo("far too large");
		assertThat(this.store.completeCalls).hasValue(1);
		assertThatThrownBy(() -> this.engine.execute(operation, key, call("again")))
			.isInstanceOf(IdempotencyResultUnavailableException.class)
			.hasMessageContaining("limit of 4");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void oneHangingRenewalDoesNotCostOtherRunningCallsTheirLeasesAndItsOwnCallLearnsItLostTheClaim()
			throws Exception {
		IdempotentOperation operation = operation(Duration.ofMillis(600));
		IdempotencyKey hanging = newKey();
		this.store.hangingRenewals.add(hanging.value());
		CountDownLatch finish = new CountDownLatch(1);
		AtomicReference<IdempotencyContext> hangingContext = new AtomicReference<>();
		List<IdempotencyKey> healthy = new ArrayList<>();
		List<Future<String>> calls = new ArrayList<>();
		calls.add(this.executor.submit(() -> run(operation, hanging, hangingContext, finish)));
		for (int i = 0; i < 4; i++) {
			IdempotencyKey key = newKey();
			healthy.add(key);
			calls.add(this.executor.submit(() -> run(operation, key, new AtomicReference<>(), finish)));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.runs.get() == 5);
		// more than three leases: a second instance claiming the healthy keys must be refused all along
		await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(5))
			.until(() -> healthy.stream()
				.allMatch((key) -> this.store.tryAcquire(key, Duration.ofMillis(600)).status() == AcquireResult.Status.IN_PROGRESS));
		assertThat(hangingContext.get().isOwned()).isFalse();
		assertThatThrownBy(hangingContext.get()::assertOwned).isInstanceOf(IdempotencyLeaseLostException.class)
			.hasMessageContaining("'op'");
		assertThat(this.observer.fenced).contains("renew");
		finish.countDown();
		for (Future<String> call : calls) {
			call.get(10, TimeUnit.SECONDS);
		}
	}

	private String run(IdempotentOperation operation, IdempotencyKey key, AtomicReference<IdempotencyContext> seen,
			CountDownLatch finish) throws Exception {
		try {
			return this.engine.execute(operation, key, new Call("slow", () -> {
				seen.set(IdempotencyContext.current().orElseThrow());
				finish.await(30, TimeUnit.SECONDS);
			}));
		}
		catch (Exception ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	String outcome(IdempotentOperation operation, IdempotencyKey key) {
		try {
			return this.engine.execute(operation, key, call("duplicate ran"));
		}
		catch (IdempotencyInProgressException ex) {
			return "in-progress";
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	static IdempotentOperation operation(Duration lease) {
		return new IdempotentOperation("op", "method",
				new IdempotencySettings(lease, Duration.ofMinutes(5), true, FailureMode.FAIL_CLOSED));
	}

	static IdempotencyKey newKey() {
		return IdempotencyKey.of("op", "k-" + UUID.randomUUID());
	}

	GuardedCall<String> call(String result) {
		return new Call(result, () -> {
		});
	}

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
			EngineClaimEndingTests.this.runs.incrementAndGet();
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

}
