package io.idempotent.store;

/**
 * Wraps the store the engine uses, for cross-cutting concerns such as timing every store call.
 */
@FunctionalInterface
public interface IdempotencyStoreDecorator {

	/**
	 * Wraps a store.
	 * @param store the store
	 * @return the wrapped store
	 */
	IdempotencyStore decorate(IdempotencyStore store);

}
