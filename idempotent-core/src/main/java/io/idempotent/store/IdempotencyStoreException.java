package io.idempotent.store;

/**
 * The store could not be reached or failed to answer. Never means "not a duplicate": a guarded call that
 * meets it fails (or, when configured to fail open, runs unguarded and is counted).
 */
public class IdempotencyStoreException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param message what failed, without the key
	 * @param cause the store client's exception
	 */
	public IdempotencyStoreException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Creates the exception.
	 * @param message what failed, without the key
	 */
	public IdempotencyStoreException(String message) {
		super(message);
	}

}
