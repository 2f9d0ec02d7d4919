package io.idempotent.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Thrown by the guard instead of running a guarded handler when it answers the request itself (a replay, a
 * 409, a 422, a 400, a 503): ends the handler invocation so Spring MVC neither handles a return value (which a
 * primitive return type would not allow) nor renders a view. {@link IdempotentExceptionResolver} writes the
 * answer (after Spring MVC has reset the response for exception handling) and reports the request handled.
 */
final class AnsweredException extends RuntimeException {

	private final transient Answer answer;

	AnsweredException(Answer answer) {
		super("The idempotency guard answered this request", null, false, false);
		this.answer = answer;
	}

	void writeTo(HttpServletResponse response) throws IOException {
		this.answer.writeTo(response);
	}

	/** Writes the guard's answer. */
	@FunctionalInterface
	interface Answer {

		void writeTo(HttpServletResponse response) throws IOException;

	}

}
