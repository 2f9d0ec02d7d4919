package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;
import io.idempotent.store.Sha256;
import io.idempotent.store.IdempotencyKey;

/**
 * The claim-ending rules on the in-memory store, plus what needs a store that keeps fingerprints and fences
 * (the in-memory one does; Redis and JDBC gain them with issue 12).
 */
class InMemoryEngineClaimEndingTests extends EngineClaimEndingTests {

	@Override
	IdempotencyStore createStore() {
		return new InMemoryIdempotencyStore();
	}

	@Test
	void runningCodeSeesItsClaimAndAFenceThatGrowsWithEveryClaimOfTheKey() throws Throwable {
		IdempotentOperation operation = operation(Duration.ofMillis(300));
		IdempotencyKey key = newKey();
		AtomicReference<IdempotencyContext> seen = new AtomicReference<>();
		assertThat(IdempotencyContext.current()).isEmpty();
		assertThatThrownBy(() -> this.engine.execute(operation, key, new Call("x", () -> {
			seen.set(IdempotencyContext.current().orElseThrow());
			assertThat(seen.get().isOwned()).isTrue();
			seen.get().assertOwned();
			throw new IllegalStateException("first attempt fails");
		}))).isInstanceOf(IllegalStateException.class);
		long first = seen.get().fence();
		assertThat(seen.get().key()).isEqualTo(key);
		assertThat(seen.get().operationName()).isEqualTo("op");
		assertThat(seen.get().isOwned()).isFalse();
		assertThat(IdempotencyContext.current()).isEmpty();
		IdempotentOperation crashing = new IdempotentOperation("op", "method",
				new IdempotencySettings(Duration.ofMillis(300), Duration.ofMinutes(5), false, FailureMode.FAIL_CLOSED));
		Attempt second = this.engine.begin(crashing, key);
		assertThat(second.fence()).isGreaterThan(first);
		// the second claim is abandoned (no keep-alive to a crashed worker): a takeover gets a larger fence
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.store.tryAcquire(key, Duration.ofMinutes(1)).fence() > second.fence());
	}

	@Test
	void aCompletedKeyThatComesBackWithAnotherPayloadIsCountedAndRefusedWhenConfigured() throws Throwable {
		IdempotencyKey key = newKey();
		IdempotentOperation replaying = operation(Duration.ofMinutes(1));
		assertThat(this.engine.execute(replaying, key, payload("first", "body-1"))).isEqualTo("first");
		assertThat(this.engine.execute(replaying, key, payload("second", "body-1"))).isEqualTo("first");
		assertThat(this.observer.mismatches).hasValue(0);
		assertThat(this.engine.execute(replaying, key, payload("third", "body-2"))).isEqualTo("first");
		assertThat(this.observer.mismatches).hasValue(1);
		IdempotentOperation refusing = new IdempotentOperation("op", "method", new IdempotencySettings(
				Duration.ofMinutes(1), Duration.ofMinutes(5), true, FailureMode.FAIL_CLOSED, PayloadMismatch.REFUSE));
		assertThatThrownBy(() -> this.engine.execute(refusing, key, payload("fourth", "body-2")))
			.isInstanceOf(IdempotencyPayloadMismatchException.class)
			.hasMessageContaining("'op'");
		assertThat(this.engine.execute(refusing, key, payload("fifth", "body-1"))).isEqualTo("first");
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void shutdownWaitsForClaimedCallsToEnd() throws Exception {
		IdempotentOperation operation = operation(Duration.ofSeconds(5));
		java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
		IdempotencyKey key = newKey();
		Thread worker = new Thread(() -> outcomeOf(operation, key, started, finish));
		worker.start();
		assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		assertThat(this.engine.awaitClaimsEnded(Duration.ofMillis(200))).isFalse();
		finish.countDown();
		assertThat(this.engine.awaitClaimsEnded(Duration.ofSeconds(5))).isTrue();
		assertThat(this.store.find(key)).isPresent();
		worker.join(5000);
	}

	@Test
	void aDuplicateWaitingForARunningCallWaitsUntilItEndsAndGivesUpWhenShutdownStarts() throws Exception {
		IdempotentOperation operation = operation(Duration.ofSeconds(5));
		java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
		IdempotencyKey key = newKey();
		Thread first = new Thread(() -> outcomeOf(operation, key, started, finish));
		first.start();
		assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		java.util.concurrent.CompletableFuture<String> waiting = java.util.concurrent.CompletableFuture
			.supplyAsync(() -> waitingDuplicate(operation, key));
		org.awaitility.Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
			.until(() -> !waiting.isDone());
		finish.countDown();
		assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("done");
		first.join(5000);
		// a second key: the waiting duplicate gives up once shutdown starts
		java.util.concurrent.CountDownLatch started2 = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch finish2 = new java.util.concurrent.CountDownLatch(1);
		IdempotencyKey other = newKey();
		Thread second = new Thread(() -> outcomeOf(operation, other, started2, finish2));
		second.start();
		assertThat(started2.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		java.util.concurrent.CompletableFuture<String> giving = java.util.concurrent.CompletableFuture
			.supplyAsync(() -> waitingDuplicate(operation, other));
		this.engine.shutdownStarted();
		assertThat(giving.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("in-progress");
		finish2.countDown();
		second.join(5000);
		assertThat(this.runs).hasValue(2);
	}

	private String waitingDuplicate(IdempotentOperation operation, IdempotencyKey key) {
		try {
			return this.engine.execute(operation, key, new Call("duplicate ran", () -> {
			}) {
				@Override
				public boolean waitsWhileInProgress() {
					return true;
				}
			});
		}
		catch (IdempotencyInProgressException ex) {
			return "in-progress";
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void outcomeOf(IdempotentOperation operation, IdempotencyKey key, java.util.concurrent.CountDownLatch started,
			java.util.concurrent.CountDownLatch finish) {
		try {
			this.engine.execute(operation, key, new Call("done", () -> {
				started.countDown();
				finish.await();
			}));
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private GuardedCall<String> payload(String result, String body) {
		return new Call(result, () -> {
		}) {
			@Override
			public byte[] fingerprint() {
				return Sha256.digest(body.getBytes(StandardCharsets.UTF_8));
			}
		};
	}

}
