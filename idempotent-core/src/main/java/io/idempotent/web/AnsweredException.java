package io.idempotent.web;

/**
 * Thrown by the guard after it has written the whole answer to a guarded request itself (a replay, a 409, a
 * 422, a 400, a 503): ends the handler invocation so Spring MVC neither handles a return value (which a
 * primitive return type would not allow) nor renders a view. {@link IdempotentExceptionResolver} turns it into
 * "handled, nothing to render".
 */
final class AnsweredException extends RuntimeException {

	AnsweredException() {
		super("The idempotency guard answered this request", null, false, false);
	}

}
