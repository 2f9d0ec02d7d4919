package io.idempotent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The timing decorator (in place whenever Micrometer is) is invisible: it passes the request fingerprint to its
 * store and reports the store's result size limit, so the HTTP guard's 422-while-running and its size check
 * work the same with metrics on.
 */
class TimedIdempotencyStoreTests {

	private final TimedIdempotencyStore store = new TimedIdempotencyStore(new InMemoryIdempotencyStore(100, 4096),
			new SimpleMeterRegistry());

	@Test
	void theFingerprintOfAClaimReachesTheStoreAndComesBackWithADuplicate() {
		IdempotencyKey key = IdempotencyKey.of("op", "k");
		byte[] fingerprint = { 1, 2, 3 };
		assertThat(this.store.tryAcquire(key, Duration.ofSeconds(5), fingerprint).status())
			.isEqualTo(AcquireResult.Status.ACQUIRED);
		AcquireResult duplicate = this.store.tryAcquire(key, Duration.ofSeconds(5), new byte[] { 9 });
		assertThat(duplicate.status()).isEqualTo(AcquireResult.Status.IN_PROGRESS);
		assertThat(duplicate.fingerprint()).isEqualTo(fingerprint);
	}

	@Test
	void theStoresResultSizeLimitIsReported() {
		assertThat(this.store.maxResultSize()).isEqualTo(4096);
	}

}
