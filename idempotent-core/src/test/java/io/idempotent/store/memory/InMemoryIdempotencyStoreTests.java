package io.idempotent.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult.Status;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.store.IdempotencyStoreException;

class InMemoryIdempotencyStoreTests extends IdempotencyStoreContractTests {

	private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

	@Override
	protected int expectedMaxResultSize() {
		return InMemoryIdempotencyStore.DEFAULT_MAX_RESULT_SIZE;
	}

	@AfterAll
	void closeStore() {
		this.store.close();
	}

	@Test
	void expiredEntriesAreSweptSoMemoryStaysBounded() {
		AtomicLong now = new AtomicLong();
		InMemoryIdempotencyStore swept = new InMemoryIdempotencyStore(now::get);
		for (int i = 0; i < 100; i++) {
			IdempotencyKey key = new IdempotencyKey("op", "k" + i);
			swept.complete(key, swept.tryAcquire(key, Duration.ofSeconds(1)).token(), new byte[0], Duration.ofSeconds(5));
		}
		IdempotencyKey live = new IdempotencyKey("op", "live");
		swept.tryAcquire(live, Duration.ofMinutes(1));
		assertThat(swept.size()).isEqualTo(101);
		now.addAndGet(Duration.ofSeconds(6).toNanos());
		assertThat(swept.sweepExpired()).isEqualTo(100);
		assertThat(swept.size()).isEqualTo(1);
		assertThat(swept.find(live)).isPresent();
	}

	@Test
	void aClaimNeverSweepsOnTheCallersThread() {
		AtomicLong now = new AtomicLong();
		InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(now::get);
		for (int i = 0; i < 10_000; i++) {
			store.tryAcquire(new IdempotencyKey("op", "k" + i), Duration.ofSeconds(1));
		}
		now.addAndGet(Duration.ofSeconds(2).toNanos());
		for (int i = 0; i < 100; i++) {
			store.tryAcquire(new IdempotencyKey("op", "new" + i), Duration.ofSeconds(1));
		}
		// expired entries are left for the background sweeper: the callers did no sweeping
		assertThat(store.size()).isEqualTo(10_100);
	}

	@Test
	void theBackgroundSweeperRemovesExpiredEntries() {
		try (InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1_000, 1024)) {
			for (int i = 0; i < 500; i++) {
				store.tryAcquire(new IdempotencyKey("op", "k" + i), Duration.ofMillis(1));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> store.size() == 0);
		}
	}

	@Test
	void aFullStoreRefusesNewKeysButNeverDropsALiveRecord() {
		try (InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(3, 1024)) {
			for (int i = 0; i < 3; i++) {
				IdempotencyKey key = new IdempotencyKey("op", "k" + i);
				store.complete(key, store.tryAcquire(key, Duration.ofMinutes(1)).token(), new byte[] { (byte) i },
						Duration.ofMinutes(1));
			}
			assertThatThrownBy(() -> store.tryAcquire(new IdempotencyKey("op", "k3"), Duration.ofMinutes(1)))
				.isInstanceOf(IdempotencyStoreException.class)
				.hasMessageContaining("maximum-size");
			for (int i = 0; i < 3; i++) {
				assertThat(store.tryAcquire(new IdempotencyKey("op", "k" + i), Duration.ofMinutes(1)).result())
					.containsExactly(i);
			}
			assertThat(store.evict(new IdempotencyKey("op", "k0"))).isTrue();
			assertThat(store.tryAcquire(new IdempotencyKey("op", "k3"), Duration.ofMinutes(1)).status())
				.isEqualTo(Status.ACQUIRED);
			assertThat(store.size()).isEqualTo(3);
		}
	}

	@Test
	void expiredEntriesMakeRoomOnceSwept() {
		try (InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(2, 1024)) {
			store.tryAcquire(new IdempotencyKey("op", "a"), Duration.ofMillis(1));
			store.tryAcquire(new IdempotencyKey("op", "b"), Duration.ofMillis(1));
			await().atMost(Duration.ofSeconds(10))
				.ignoreException(IdempotencyStoreException.class)
				.until(() -> store.tryAcquire(new IdempotencyKey("op", "c"), Duration.ofMinutes(1))
					.status() == Status.ACQUIRED);
		}
	}

}
