package io.idempotent.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.web.util.ContentCachingResponseWrapper;

import io.idempotent.core.Attempt;

/**
 * A claimed HTTP call whose response is being written; {@link IdempotentResponseFilter} finishes it once the
 * response is complete: stores it (2xx, and 4xx unless the operation is configured otherwise) or releases the
 * key (5xx).
 */
final class PendingResponse {

	private final Attempt attempt;

	private final String fingerprint;

	private final WebIdempotencySettings settings;

	private final boolean replayClientErrors;

	PendingResponse(Attempt attempt, String fingerprint, WebIdempotencySettings settings, boolean replayClientErrors) {
		this.attempt = attempt;
		this.fingerprint = fingerprint;
		this.settings = settings;
		this.replayClientErrors = replayClientErrors;
	}

	void failed() {
		this.attempt.release();
	}

	void finish(ContentCachingResponseWrapper response) throws java.io.IOException {
		int status = response.getStatus();
		if (status >= 500 || (status >= 400 && !this.replayClientErrors)) {
			this.attempt.release();
			return;
		}
		byte[] body = response.getContentAsByteArray();
		if (body.length > this.settings.maxResponseSize()) {
			tooLarge(response, "The response was " + body.length + " bytes, over the " + this.settings.maxResponseSize()
					+ " bytes that can be stored for replay; raise idempotent.web.max-response-size");
			return;
		}
		List<Map.Entry<String, String>> headers = new ArrayList<>();
		if (response.getContentType() != null) {
			headers.add(Map.entry("Content-Type", response.getContentType()));
		}
		for (String name : this.settings.replayedHeaders()) {
			if (!name.equalsIgnoreCase("Content-Type")) {
				for (String value : response.getHeaders(name)) {
					headers.add(Map.entry(name, value));
				}
			}
		}
		byte[] stored = new StoredResponse(this.fingerprint, status, headers, body).encode();
		if (stored.length > this.attempt.maxResultSize()) {
			// the store would refuse it: the claim would stay in progress until its lease ends, then run again
			tooLarge(response, "The response was " + body.length + " bytes (" + stored.length + " stored), over the "
					+ this.attempt.maxResultSize() + " bytes the store keeps for replay; raise "
					+ "idempotent.store.max-result-size");
			return;
		}
		this.attempt.complete(stored);
	}

	private void tooLarge(ContentCachingResponseWrapper response, String detail) throws java.io.IOException {
		ProblemResponses.write(response, 500, "Internal Server Error", detail, null);
		this.attempt.complete(new StoredResponse(this.fingerprint, 500,
				List.of(Map.entry("Content-Type", "application/problem+json")),
				ProblemResponses.body(500, "Internal Server Error", detail))
			.encode());
	}

}
