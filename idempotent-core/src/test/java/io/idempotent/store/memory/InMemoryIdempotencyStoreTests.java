package io.idempotent.store.memory;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;

class InMemoryIdempotencyStoreTests extends IdempotencyStoreContractTests {

	private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

}
