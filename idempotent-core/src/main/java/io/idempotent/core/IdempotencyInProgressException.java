package io.idempotent.core;

import java.time.Duration;

/**
 * A duplicate arrived while the first call for its key is still running. Control flow, not an error: the
 * duplicate must not be acknowledged, so a message adapter lets the broker redeliver it and an HTTP adapter
 * answers 409. Carries no stack trace.
 */
public class IdempotencyInProgressException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	private final String operation;

	private final Duration retryAfter;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 * @param retryAfter a hint for when to try again (at most the lease)
	 */
	public IdempotencyInProgressException(String operation, Duration retryAfter) {
		super("Idempotent operation '" + operation + "' is already in progress for this key; retry later", null,
				false);
		this.operation = operation;
		this.retryAfter = retryAfter;
	}

	/**
	 * The operation whose key is held.
	 * @return the operation name
	 */
	public String getOperation() {
		return this.operation;
	}

	/**
	 * When a retry may find the first call finished (or its lease expired).
	 * @return the hint
	 */
	public Duration getRetryAfter() {
		return this.retryAfter;
	}

}
