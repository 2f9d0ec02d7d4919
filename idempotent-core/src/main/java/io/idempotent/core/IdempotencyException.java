package io.idempotent.core;

/**
 * Base of the exceptions the guard itself raises. The guarded method's own exceptions are never wrapped.
 */
public abstract class IdempotencyException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	protected IdempotencyException(String message) {
		super(message);
	}

	protected IdempotencyException(String message, Throwable cause, boolean writableStackTrace) {
		super(message, cause, false, writableStackTrace);
	}

}
