package io.idempotent.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;

class InMemoryIdempotencyStoreTests extends IdempotencyStoreContractTests {

	private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

	@Override
	protected IdempotencyStore store() {
		return this.store;
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
		swept.tryAcquire(new IdempotencyKey("op", "trigger"), Duration.ofMinutes(1));
		assertThat(swept.size()).isEqualTo(2);
		assertThat(swept.find(live)).isPresent();
	}

}
