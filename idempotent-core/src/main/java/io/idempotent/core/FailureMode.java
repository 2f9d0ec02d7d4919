package io.idempotent.core;

/**
 * What a guarded call does when the store cannot be reached to claim its key.
 */
public enum FailureMode {

	/**
	 * The call fails with {@link io.idempotent.store.IdempotencyStoreException}: a message is redelivered
	 * later, an HTTP call gets 503. Nothing is ever acknowledged as a duplicate. The default.
	 */
	FAIL_CLOSED,

	/**
	 * The call runs unguarded (and is counted), trading the once-only promise for availability.
	 */
	FAIL_OPEN

}
