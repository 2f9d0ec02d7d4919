package io.idempotent.core;

/**
 * The key expression of a guarded method gave null or a blank string. Names the method and the expression,
 * never the arguments (they may hold personal data). Nothing ran and nothing was stored.
 */
public class IdempotencyKeyException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param message what was wrong, naming the method and expression
	 */
	public IdempotencyKeyException(String message) {
		super(message);
	}

}
