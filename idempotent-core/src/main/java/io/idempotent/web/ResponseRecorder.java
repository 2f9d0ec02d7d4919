package io.idempotent.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.idempotent.core.Attempt;

/**
 * Ends a claimed HTTP call once its response is complete ({@link IdempotentResponseFilter} calls it after the
 * last dispatch): completes the engine's {@link Attempt} with the response when its final status is stored
 * ({@link StatusPolicy}), else releases it. A response too large to store is answered, and stored, as a 500
 * problem that names the limit, identical for the first caller and every retry.
 */
final class ResponseRecorder {

	static final String ATTRIBUTE = ResponseRecorder.class.getName();

	private final Attempt attempt;

	private final byte[] fingerprint;

	private final StatusPolicy statuses;

	private final List<String> replayedHeaders;

	private final int maxBodySize;

	private final int maxStoredSize;

	ResponseRecorder(Attempt attempt, byte[] fingerprint, StatusPolicy statuses, List<String> replayedHeaders,
			int maxBodySize, int maxStoredSize) {
		this.attempt = attempt;
		this.fingerprint = fingerprint;
		this.statuses = statuses;
		this.replayedHeaders = replayedHeaders;
		this.maxBodySize = maxBodySize;
		this.maxStoredSize = maxStoredSize;
	}

	/** The call ended without a response (an exception reached the container): the key is released. */
	void failed() {
		this.attempt.release();
	}

	/**
	 * Ends a claim that {@link #finish} did not end (it threw): the handler ran, so the key is completed without a
	 * stored response rather than released, and a retry gets an error instead of running the handler again.
	 * A no-op once the key was completed or released.
	 */
	void unfinished() {
		this.attempt.completeWithoutResult("the response could not be recorded");
	}

	void finish(CapturedResponse response) throws IOException {
		int status = response.getStatus();
		if (response.errorSent() || !this.statuses.stores(status)) {
			this.attempt.release();
			return;
		}
		byte[] body = response.getContentAsByteArray();
		byte[] encoded = (body.length <= this.maxBodySize) ? new StoredResponse(this.fingerprint, status,
				ReplayedHeaders.select(response, this.replayedHeaders), body).encode() : null;
		if (encoded != null && encoded.length <= this.maxStoredSize) {
			this.attempt.complete(encoded);
			return;
		}
		String detail = "The response was " + body.length + " bytes, over the "
				+ Math.min(this.maxBodySize, this.maxStoredSize) + " bytes that can be stored for replay; raise "
				+ "idempotent.web.max-response-size and the store's idempotent.store.max-result-size";
		for (String name : this.replayedHeaders) {
			if (!name.equalsIgnoreCase("Content-Type")) {
				response.setHeader(name, null); // the first answer carries only what its replays will
			}
		}
		ProblemResponses.write(response, 500, "Internal Server Error", detail, null);
		this.attempt.complete(new StoredResponse(this.fingerprint, 500,
				List.of(Map.entry("Content-Type", response.getContentType())),
				ProblemResponses.body(500, "Internal Server Error", detail))
			.encode());
	}

}
