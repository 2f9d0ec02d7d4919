package io.idempotent.core;

/**
 * Thrown by {@link IdempotencyContext#assertOwned()} when the running call no longer owns its key: its lease
 * could not be renewed in time or another caller took the key over. Names the operation, never the key.
 */
public class IdempotencyLeaseLostException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 */
	public IdempotencyLeaseLostException(String operation) {
		super("A running call of idempotent operation '" + operation + "' lost its claim (lease not renewed in time "
				+ "or taken over); stop before taking effect");
	}

}
