package io.idempotent.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The store contract through {@link TimedIdempotencyStore}, the decorator the auto-configuration puts around
 * every store when Micrometer is present: it must pass on everything the store keeps (the fingerprint, the
 * result limit), not only the calls it times.
 */
class TimedIdempotencyStoreContractTests extends IdempotencyStoreContractTests {

	private static final int LIMIT = 1024 * 1024;

	private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore(100_000, LIMIT);

	private final TimedIdempotencyStore store = new TimedIdempotencyStore(this.memory, new SimpleMeterRegistry());

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

	@Override
	protected int expectedMaxResultSize() {
		return LIMIT;
	}

	@AfterAll
	void closeStore() {
		this.memory.close();
	}

}
