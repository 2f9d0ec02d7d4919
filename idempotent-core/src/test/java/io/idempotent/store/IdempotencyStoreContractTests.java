package io.idempotent.store;

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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

	/** The fingerprint size every store must keep (the SPI's promise). */
	private static final int MAX_FINGERPRINT = 64;

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
	void renewKeepsALeaseAlive() {
		IdempotencyKey key = newKey();
		IdempotencyKey control = newKey();
		String token = store().tryAcquire(key, SHORT).token();
		store().tryAcquire(control, SHORT);
		assertThat(store().renew(key, token, LONG)).isTrue();
		// the control key, claimed with the same lease no earlier, becomes free: the original lease has ended
		awaitAcquired(control);
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
	void aSeparatorInsideANameCannotMakeTwoRecordsOne() {
		String unique = UUID.randomUUID().toString();
		IdempotencyKey one = new IdempotencyKey("contract:a", "b:" + unique);
		IdempotencyKey other = new IdempotencyKey("contract:a:b", unique);
		IdempotencyKey third = new IdempotencyKey("contract", "a:b:" + unique);
		assertThat(store().tryAcquire(one, LONG).status()).isEqualTo(Status.ACQUIRED);
		assertThat(store().tryAcquire(other, LONG).status()).isEqualTo(Status.ACQUIRED);
		assertThat(store().tryAcquire(third, LONG).status()).isEqualTo(Status.ACQUIRED);
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

	@Test
	void keysThatDifferOnlyInCaseOrTrailingSpacesAreDistinct() {
		String base = "Order-" + UUID.randomUUID();
		List<String> variants = List.of(base, base.toLowerCase(java.util.Locale.ROOT),
				base.toUpperCase(java.util.Locale.ROOT), base + " ", base + "  ", " " + base, base + "\t");
		for (String variant : variants) {
			AcquireResult claim = store().tryAcquire(new IdempotencyKey("contract-case", variant), LONG);
			assertThat(claim.status()).as("claim of %s", quoted(variant)).isEqualTo(Status.ACQUIRED);
			assertThat(store().complete(new IdempotencyKey("contract-case", variant), claim.token(),
					variant.getBytes(StandardCharsets.UTF_8), LONG)).isTrue();
		}
		for (String variant : variants) {
			AcquireResult duplicate = store().tryAcquire(new IdempotencyKey("contract-case", variant), LONG);
			assertThat(duplicate.status()).isEqualTo(Status.COMPLETED);
			assertThat(new String(duplicate.result(), StandardCharsets.UTF_8)).isEqualTo(variant);
		}
	}

	@Test
	void namesThatDifferOnlyInCaseOrTrailingSpacesAreDistinct() {
		String value = UUID.randomUUID().toString();
		for (String name : List.of("Contract-Name", "contract-name", "contract-name ", "CONTRACT-NAME")) {
			assertThat(store().tryAcquire(new IdempotencyKey(name, value), LONG).status()).as("name %s", quoted(name))
				.isEqualTo(Status.ACQUIRED);
		}
	}

	@ParameterizedTest(name = "{0} characters")
	@ValueSource(ints = { 1, 199, 200, 201, 1_000, 10_000 })
	void keysAndNamesOfAnyLengthWorkAndStayDistinct(int length) {
		String unique = UUID.randomUUID().toString().replace("-", "");
		String name = fill(unique, length);
		String key = fill(new StringBuilder(unique).reverse().toString(), length);
		IdempotencyKey first = new IdempotencyKey(name, key);
		AcquireResult claim = store().tryAcquire(first, LONG);
		assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
		assertThat(store().complete(first, claim.token(), new byte[] { 1 }, LONG)).isTrue();
		assertThat(store().tryAcquire(first, LONG).result()).containsExactly(1);
		assertThat(store().find(first)).isPresent();
		if (length > 1) {
			// same length, differing only in the last character: must not share the record
			String otherKey = key.substring(0, length - 1) + (char) (key.charAt(length - 1) + 1);
			assertThat(store().tryAcquire(new IdempotencyKey(name, otherKey), LONG).status()).isEqualTo(Status.ACQUIRED);
			String otherName = name.substring(0, length - 1) + (char) (name.charAt(length - 1) + 1);
			assertThat(store().tryAcquire(new IdempotencyKey(otherName, key), LONG).status()).isEqualTo(Status.ACQUIRED);
		}
		// one character longer: a different key too
		assertThat(store().tryAcquire(new IdempotencyKey(name, key + "x"), LONG).status()).isEqualTo(Status.ACQUIRED);
	}

	@Test
	void nonAsciiKeysAndNamesAreKeptApart() {
		String unique = UUID.randomUUID().toString();
		List<String> keys = List.of("clé-" + unique, "cle-" + unique, "CLÉ-" + unique, "ключ-" + unique,
				"鍵-" + unique, "🔑-" + unique, "e\u0301-" + unique, "\u00e9-" + unique);
		for (String key : keys) {
			IdempotencyKey stored = new IdempotencyKey("contract-ünïcode-名前", key);
			AcquireResult claim = store().tryAcquire(stored, LONG);
			assertThat(claim.status()).as("claim of %s", key).isEqualTo(Status.ACQUIRED);
			store().complete(stored, claim.token(), key.getBytes(StandardCharsets.UTF_8), LONG);
		}
		for (String key : keys) {
			AcquireResult duplicate = store().tryAcquire(new IdempotencyKey("contract-ünïcode-名前", key), LONG);
			assertThat(new String(duplicate.result(), StandardCharsets.UTF_8)).isEqualTo(key);
		}
	}

	@Test
	void keysAndNamesWithUnpairedSurrogatesStayApartFromTheCharactersUtf8WouldWriteInstead() {
		// a JSON "\ud800" escape yields an unpaired surrogate; String.getBytes(UTF_8) writes it as '?'
		String unique = UUID.randomUUID().toString();
		List<String> values = List.of(unique + "?", unique + "\uD800", unique + "\uDC00", unique + "\uFFFD",
				unique + "\uDC00\uD800", unique + "\uD800\uDC00", unique + "??", unique + "\uD800\uD800");
		for (String value : values) {
			IdempotencyKey stored = new IdempotencyKey("contract-surrogate", value);
			AcquireResult claim = store().tryAcquire(stored, LONG);
			assertThat(claim.status()).as("claim of %s", escaped(value)).isEqualTo(Status.ACQUIRED);
			assertThat(store().complete(stored, claim.token(), escaped(value).getBytes(StandardCharsets.UTF_8), LONG))
				.isTrue();
		}
		for (String value : values) {
			AcquireResult duplicate = store().tryAcquire(new IdempotencyKey("contract-surrogate", value), LONG);
			assertThat(new String(duplicate.result(), StandardCharsets.UTF_8)).isEqualTo(escaped(value));
		}
		for (String name : List.of("contract-name?", "contract-name\uD800", "contract-name\uDBFF")) {
			assertThat(store().tryAcquire(new IdempotencyKey(name, unique), LONG).status())
				.as("name %s", escaped(name))
				.isEqualTo(Status.ACQUIRED);
		}
	}

	@Test
	void aClaimMadeInsideAnOpenOuterTransactionIsVisibleAtOnceAndOutlivesIt() throws Exception {
		IdempotencyKey key = newKey();
		inOuterTransaction(() -> {
			AcquireResult claim = store().tryAcquire(key, LONG);
			assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
			try {
				// another connection/thread: sees the claim at once instead of waiting for the outer transaction
				assertThat(this.racers.submit(() -> store().tryAcquire(key, LONG).status()).get(1, TimeUnit.SECONDS))
					.isEqualTo(Status.IN_PROGRESS);
				// the keep-alive, on its own thread, still owns the claim
				assertThat(this.racers.submit(() -> store().renew(key, claim.token(), LONG)).get(1, TimeUnit.SECONDS))
					.isTrue();
			}
			catch (Exception ex) {
				throw new AssertionError(ex);
			}
		});
		// the outer transaction was rolled back (where the store has transactions): the claim stays
		assertThat(store().tryAcquire(key, LONG).status()).isEqualTo(Status.IN_PROGRESS);
	}

	@Test
	void aResultAtTheLimitIsKeptAndOneByteMoreIsRefusedCleanly() {
		int limit = store().maxResultSize();
		assertThat(limit).as("a real limit, not 'unlimited'").isLessThan(Integer.MAX_VALUE);
		IdempotencyKey atLimit = newKey();
		byte[] fits = new byte[limit];
		new java.util.Random(11).nextBytes(fits);
		assertThat(store().complete(atLimit, store().tryAcquire(atLimit, LONG).token(), fits, LONG)).isTrue();
		assertThat(store().tryAcquire(atLimit, LONG).result()).isEqualTo(fits);
		IdempotencyKey over = newKey();
		String token = store().tryAcquire(over, LONG).token();
		assertThatThrownBy(() -> store().complete(over, token, new byte[limit + 1], LONG))
			.isInstanceOf(IdempotencyStoreException.class)
			.hasMessageContaining((limit + 1) + " bytes")
			.hasMessageContaining("max-result-size");
		// refused before anything was written: the owner still holds the claim and can release it
		assertThat(store().tryAcquire(over, LONG).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(store().release(over, token)).isTrue();
	}

	@Test
	void theFingerprintIsStoredWithTheClaimAndKeptWhenItCompletes() {
		IdempotencyKey key = newKey();
		byte[] fingerprint = new byte[MAX_FINGERPRINT];
		new java.util.Random(3).nextBytes(fingerprint);
		AcquireResult claim = store().tryAcquire(key, LONG, fingerprint);
		assertThat(claim.status()).isEqualTo(Status.ACQUIRED);
		AcquireResult inProgress = store().tryAcquire(key, LONG, new byte[] { 1 });
		assertThat(inProgress.status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(inProgress.fingerprint()).isEqualTo(fingerprint);
		assertThat(store().renew(key, claim.token(), LONG)).isTrue();
		assertThat(store().complete(key, claim.token(), new byte[] { 5 }, LONG)).isTrue();
		AcquireResult completed = store().tryAcquire(key, LONG, null);
		assertThat(completed.status()).isEqualTo(Status.COMPLETED);
		assertThat(completed.fingerprint()).isEqualTo(fingerprint);
		assertThat(completed.result()).containsExactly(5);
	}

	@Test
	void aClaimWithoutFingerprintReportsNoneAndAnOversizedOneIsRefused() {
		IdempotencyKey key = newKey();
		String token = store().tryAcquire(key, LONG).token();
		assertThat(store().tryAcquire(key, LONG, new byte[] { 1 }).fingerprint()).isNull();
		store().complete(key, token, new byte[0], LONG);
		assertThat(store().tryAcquire(key, LONG).fingerprint()).isNull();
		IdempotencyKey other = newKey();
		assertThatThrownBy(() -> store().tryAcquire(other, LONG, new byte[MAX_FINGERPRINT + 1]))
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(store().tryAcquire(other, LONG, new byte[0]).status()).isEqualTo(Status.ACQUIRED);
	}

	@Test
	void aTakeoverStoresTheNewCallersFingerprint() {
		IdempotencyKey key = newKey();
		store().tryAcquire(key, SHORT, new byte[] { 1 });
		AcquireResult takeover = awaitAcquired(key, new byte[] { 2 });
		assertThat(store().tryAcquire(key, LONG).fingerprint()).containsExactly(2);
		store().complete(key, takeover.token(), new byte[0], LONG);
		assertThat(store().tryAcquire(key, LONG).fingerprint()).containsExactly(2);
	}

	@Test
	void theFenceGrowsWithEveryClaimTakeoverAndRelease() {
		IdempotencyKey key = newKey();
		List<Long> fences = new ArrayList<>();
		AcquireResult first = store().tryAcquire(key, LONG);
		fences.add(first.fence());
		assertThat(store().release(key, first.token())).isTrue();
		AcquireResult afterRelease = store().tryAcquire(key, SHORT);
		fences.add(afterRelease.fence());
		AcquireResult takeover = awaitAcquired(key);
		fences.add(takeover.fence());
		assertThat(store().release(key, takeover.token())).isTrue();
		AcquireResult again = store().tryAcquire(key, LONG);
		fences.add(again.fence());
		store().complete(key, again.token(), new byte[0], LONG);
		assertThat(store().evict(key)).isTrue();
		fences.add(store().tryAcquire(key, LONG).fence());
		assertThat(fences.get(0)).isPositive();
		assertThat(fences).as("fences in claim order").isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
		assertThat(store().tryAcquire(key, LONG).fence()).as("fence of a non-ACQUIRED outcome").isZero();
	}

	@Test
	void theStoreReportsARealResultLimit() {
		assertThat(store().maxResultSize()).isEqualTo(expectedMaxResultSize());
	}

	/**
	 * The result limit the subclass configured its store with.
	 * @return bytes
	 */
	protected abstract int expectedMaxResultSize();

	/**
	 * Runs {@code work} inside an open transaction of the store's own backend, then rolls that transaction
	 * back. Stores without transactions just run it.
	 * @param work the work
	 */
	protected void inOuterTransaction(Runnable work) {
		work.run();
	}

	private static String fill(String seed, int length) {
		StringBuilder text = new StringBuilder(length);
		while (text.length() < length) {
			text.append(seed);
		}
		return text.substring(0, length);
	}

	private static String escaped(String text) {
		StringBuilder escaped = new StringBuilder();
		text.chars().forEach((c) -> escaped.append((c < 128) ? String.valueOf((char) c) : String.format("\\u%04X", c)));
		return escaped.toString();
	}

	private static String quoted(String text) {
		return "'" + text + "'";
	}

	private AcquireResult awaitAcquired(IdempotencyKey key, byte[] fingerprint) {
		AcquireResult[] acquired = new AcquireResult[1];
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
			acquired[0] = store().tryAcquire(key, LONG, fingerprint);
			return acquired[0].status() == Status.ACQUIRED;
		});
		return acquired[0];
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
