package io.idempotent.store;

import java.time.Duration;

/**
 * A store that wraps another and forwards its calls (a decorator: timing, observation). It names the store it
 * wraps, so that {@link #completesInCurrentTransaction} can tell whether a chain of decorators reaches a store
 * that completes keys in the caller's transaction.
 */
public interface ForwardingIdempotencyStore extends IdempotencyStore {

	/**
	 * The store this one wraps.
	 * @return the delegate
	 */
	IdempotencyStore delegate();

	/**
	 * Whether {@link IdempotencyStore#completeInCurrentTransaction} on this store reaches a store that supports
	 * it: false when this store, or a store it wraps (through decorators that say what they wrap), inherits the
	 * SPI's default, which throws (an application decorator written before the method existed). A decorator that
	 * times or observes the call uses it to pass such a call through without recording a failed store call: the
	 * undecorated store then writes the completion (see the JDBC transactional completion).
	 * @param store the store, decorated or not
	 * @return whether the call is forwarded down to a store that implements it
	 */
	static boolean completesInCurrentTransaction(IdempotencyStore store) {
		IdempotencyStore current = store;
		for (int depth = 0; current != null && depth < 64; depth++) {
			if (!overridesCompleteInCurrentTransaction(current)) {
				return false;
			}
			if (!(current instanceof ForwardingIdempotencyStore forwarding)) {
				return true;
			}
			current = forwarding.delegate();
		}
		return current != null;
	}

	private static boolean overridesCompleteInCurrentTransaction(IdempotencyStore store) {
		try {
			return store.getClass()
				.getMethod("completeInCurrentTransaction", IdempotencyKey.class, String.class, byte[].class,
						Duration.class)
				.getDeclaringClass() != IdempotencyStore.class;
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
	}

}
