package io.idempotent.web;

import java.io.IOException;

/**
 * The body of a guarded request is larger than {@code idempotent.web.max-request-size}: answered 413.
 */
final class PayloadTooLargeException extends IOException {

	PayloadTooLargeException(long maxSize) {
		super("The request body is over the " + maxSize + " bytes a guarded request may have; raise "
				+ "idempotent.web.max-request-size", null);
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
