package io.idempotent.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The buffered response of a guarded request. An error sent with {@code sendError} (a
 * {@code ResponseStatusException}, {@code response.sendError(409)}) is answered here as an RFC 9457 problem with
 * that status instead of being handed to the container's error page, which would render its body after the
 * guard where it cannot be stored: so the status that reaches the client decides whether the answer is stored,
 * however it was produced. The error sent for a body over the request size limit becomes a 413 problem.
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
		if (isCommitted()) {
			this.errorSent = true; // too late to answer it ourselves: the container's error handling applies
			if (message != null) {
				super.sendError(status, message);
			}
			else {
				super.sendError(status);
			}
			return;
		}
		// the message is not echoed (Boot hides error messages by default: server.error.include-message=never)
		HttpStatus known = HttpStatus.resolve(status);
		String title = (known != null) ? known.getReasonPhrase() : "Error";
		ProblemResponses.write(this, status, title, "The request failed with status " + status, null);
	}

	void tooLarge() throws IOException {
		ProblemResponses.write(this, 413, "Content Too Large", "The request body is over the "
				+ this.request.maxSize() + " bytes a guarded request may have", null);
	}

}
