package io.idempotent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.AcquireResult.Status;

/**
 * The promises every {@link IdempotencyStore} keeps. Each backend runs it as a thin subclass against a real
 * server. Keys are unique per test, so a subclass may share one store (and server) across tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class IdempotencyStoreContractTests {

	/** Lease used by the expiry tests: long enough for one round trip, short enough to wait out. */
	protected static final Duration SHORT = Duration.ofMillis(400);

	private static final Duration LONG = Duration.ofMinutes(5);

	private static final int RACERS = 64;

	private static final int ROUNDS = 200;

	private ExecutorService racers;

	/**
	 * The store under test.
	 * @return the store
	 */
	protected abstract IdempotencyStore store();

	@BeforeAll
	void startRacers() {
		this.racers = Executors.newFixedThreadPool(RACERS);
	}

	@AfterAll
	void stopRacers() {
		this.racers.shutdownNow();
	}

	@Test
	void firstAcquireWinsAndSecondSeesInProgress() {
		IdempotencyKey key = newKey();
		AcquireResult first = store().tryAcquire(key, LONG);
		assertThat(first.status()).isEqualTo(Status.ACQUIRED);
		assertThat(first.token()).isNotBlank();
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.IN_PROGRESS);
	}

	@Test
	void completedKeyReturnsTheExactResultBytes() {
		IdempotencyKey key = newKey();
		byte[] result = new byte[256];
		for (int i = 0; i < result.length; i++) {
			result[i] = (byte) i;
		}
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().complete(key, token, result, LONG)).isTrue();
		AcquireResult duplicate = store().tryAcquire(key, LONG);
		assertThat(duplicate.status()).isEqualTo(Status.COMPLETED);
		assertThat(duplicate.result()).isEqualTo(result);
	}

	@Test
	void emptyAndLargeResultsRoundTrip() {
		IdempotencyKey empty = newKey();
		assertThat(store().complete(empty, store().tryAcquire(empty, LONG).token(), new byte[0], LONG)).isTrue();
		assertThat(store().tryAcquire(empty, LONG).result()).isEmpty();
		IdempotencyKey large = newKey();
		byte[] body = new byte[512 * 1024];
		new java.util.Random(7).nextBytes(body);
		assertThat(store().complete(large, store().tryAcquire(large, LONG).token(), body, LONG)).isTrue();
		assertThat(store().tryAcquire(large, LONG).result()).isEqualTo(body);
	}

	@Test
	void releaseLetsARetryAcquire() {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().release(key, token)).isTrue();
		AcquireResult retry = store().tryAcquire(key, LONG);
		assertThat(retry.status()).isEqualTo(Status.ACQUIRED);
		assertThat(retry.token()).isNotEqualTo(token);
	}

	@Test
	void onlyTheOwnerCanCompleteReleaseOrRenew() {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().complete(key, "not-the-owner", new byte[] { 1 }, LONG)).isFalse();
		assertThat(store().release(key, "not-the-owner")).isFalse();
		assertThat(store().renew(key, "not-the-owner", LONG)).isFalse();
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(store().complete(key, token, new byte[] { 1 }, LONG)).isTrue();
	}

	@Test
	void aCompletedKeyCannotBeReleasedOrCompletedAgain() {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().complete(key, token, new byte[] { 1 }, LONG)).isTrue();
		assertThat(store().release(key, token)).isFalse();
		assertThat(store().complete(key, token, new byte[] { 2 }, LONG)).isFalse();
		assertThat(store().renew(key, token, LONG)).isFalse();
		assertThat(store().tryAcquire(key, LONG).result()).containsExactly(1);
	}

	@Test
	void anExpiredLeaseCanBeTakenOverAndTheStaleOwnerIsFencedOut() {
		IdempotencyKey key = newKey();
		String stale = store().tryAcquire(key, SHORT).token();
		AcquireResult takeover = awaitAcquired(key);
		assertThat(takeover.token()).isNotEqualTo(stale);
		assertThat(store().complete(key, stale, new byte[] { 9 }, LONG)).isFalse();
		assertThat(store().release(key, stale)).isFalse();
		assertThat(store().renew(key, stale, LONG)).isFalse();
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(store().complete(key, takeover.token(), new byte[] { 7 }, LONG)).isTrue();
		assertThat(store().tryAcquire(key, LONG).result()).containsExactly(7);
	}

	@Test
	void renewKeepsALeaseAlive() throws InterruptedException {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, SHORT).token();
		assertThat(store().renew(key, token, LONG)).isTrue();
		Thread.sleep(SHORT.toMillis() * 2);
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(store().complete(key, token, new byte[0], LONG)).isTrue();
	}

	@Test
	void retentionExpiryForgetsTheKey() {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().complete(key, token, new byte[] { 1 }, SHORT)).isTrue();
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.COMPLETED);
		awaitAcquired(key);
	}

	@Test
	void keysOfDifferentNamesNeverCollide() {
		String value = UUID.randomUUID().toString();
		IdempotencyKey one = new IdempotencyKey("contract-a-" + value, value);
		IdempotencyKey other = new IdempotencyKey("contract-b-" + value, value);
		assertThat(store().tryAcquire(one, LONG).status()).isEqualTo(Status.ACQUIRED);
		assertThat(store().tryAcquire(other, LONG).status()).isEqualTo(Status.ACQUIRED);
	}

	@Test
	void findShowsTheLiveRecordAndEvictForgetsIt() {
		IdempotencyKey key = newKey();
		assertThat(store().find(key)).isEmpty();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().find(key)).hasValueSatisfying((r) -> assertThat(r.state()).isEqualTo(RecordState.PROCESSING));
		store().complete(key, token, new byte[] { 1, 2, 3 }, LONG);
		assertThat(store().find(key)).hasValueSatisfying((r) -> {
			assertThat(r.state()).isEqualTo(RecordState.COMPLETED);
			assertThat(r.resultSize()).isEqualTo(3);
			assertThat(r.expiresAt()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(4)));
		});
		assertThat(store().evict(key)).isTrue();
		assertThat(store().evict(key)).isFalse();
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.ACQUIRED);
	}

	@Test
	void manyThreadsRacingOnOneKeyYieldExactlyOneWinnerPerRound() throws Exception {
		for (int round = 0; round < ROUNDS; round++) {
			IdempotencyKey key = newKey();
			CountDownLatch start = new CountDownLatch(1);
			List<Future<AcquireResult>> results = new ArrayList<>(RACERS);
			for (int i = 0; i < RACERS; i++) {
				results.add(this.racers.submit(() -> {
					start.await();
					return store().tryAcquire(key, LONG);
				}));
			}
			start.countDown();
			int winners = 0;
			for (Future<AcquireResult> result : results) {
				Status status = result.get(30, TimeUnit.SECONDS).status();
				assertThat(status).isNotEqualTo(Status.COMPLETED);
				winners += (status == Status.ACQUIRED) ? 1 : 0;
			}
			assertThat(winners).as("winners in round %d", round).isEqualTo(1);
		}
	}

	private AcquireResult awaitAcquired(IdempotencyKey key) {
		AcquireResult[] acquired = new AcquireResult[1];
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
			acquired[0] = store().tryAcquire(key, LONG);
			return acquired[0].status() == Status.ACQUIRED;
		});
		return acquired[0];
	}

	/**
	 * A key no other test uses.
	 * @return the key
	 */
	protected IdempotencyKey newKey() {
		return new IdempotencyKey("contract", UUID.randomUUID().toString());
	}

}
