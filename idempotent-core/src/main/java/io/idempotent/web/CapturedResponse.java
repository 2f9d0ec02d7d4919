package io.idempotent.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The buffered response of a guarded request. Remembers whether an error was sent with {@code sendError} (its
 * body is rendered later by the container's error page, which cannot be stored), and turns the error sent for a
 * body over the request size limit into a 413 problem.
 */
final class CapturedResponse extends ContentCachingResponseWrapper {

	private final GuardedRequest request;

	private boolean errorSent;

	CapturedResponse(HttpServletResponse response, GuardedRequest request) {
		super(response);
		this.request = request;
	}

	boolean errorSent() {
		return this.errorSent;
	}

	@Override
	public void sendError(int status) throws IOException {
		sendError(status, null);
	}

	@Override
	public void sendError(int status, String message) throws IOException {
		if (this.request.overLimit() && !isCommitted()) {
			tooLarge();
			return;
		}
		this.errorSent = true;
		if (message != null) {
			super.sendError(status, message);
		}
		else {
			super.sendError(status);
		}
	}

	void tooLarge() throws IOException {
		ProblemResponses.write(this, 413, "Content Too Large", "The request body is over the "
				+ this.request.maxSize() + " bytes a guarded request may have", null);
	}

}
