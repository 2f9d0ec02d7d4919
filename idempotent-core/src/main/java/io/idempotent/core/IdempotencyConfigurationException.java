package io.idempotent.core;

/**
 * An {@code @Idempotent} declaration is unusable: an expression that does not parse, a missing key, a return
 * type that cannot be replayed. Raised at start-up, naming the class, method and expression.
 */
public class IdempotencyConfigurationException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param message what is wrong and where
	 */
	public IdempotencyConfigurationException(String message) {
		super(message);
	}

}
