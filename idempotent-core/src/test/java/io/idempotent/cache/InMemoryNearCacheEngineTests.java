package io.idempotent.cache;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The near cache in front of the in-memory store.
 */
class InMemoryNearCacheEngineTests extends NearCacheEngineTests {

	@Override
	protected IdempotencyStore createStore() {
		return new InMemoryIdempotencyStore();
	}

}
