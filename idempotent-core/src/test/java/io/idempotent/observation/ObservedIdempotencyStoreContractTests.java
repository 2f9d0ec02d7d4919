package io.idempotent.observation;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterAll;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The store contract through {@link ObservedIdempotencyStore}, the decorator the auto-configuration puts around
 * every store when an {@code ObservationRegistry} is present (tracing off): like the timing decorator, it must
 * pass on everything the store keeps (the fingerprint, the fence, the result limit), not only the calls it
 * observes.
 */
class ObservedIdempotencyStoreContractTests extends IdempotencyStoreContractTests {

	private static final int LIMIT = 1024 * 1024;

	private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore(100_000, LIMIT);

	private final ObservedIdempotencyStore store = new ObservedIdempotencyStore(this.memory,
			ObservationRegistry.create(), null);

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
