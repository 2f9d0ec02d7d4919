package io.idempotent.web;

import java.util.List;

/**
 * How the HTTP guard reads keys and stores responses.
 *
 * @param headerName the request header carrying the key ({@code Idempotency-Key})
 * @param required whether a request to a guarded endpoint without the header is refused with 400; when false
 * it runs unguarded
 * @param replayedHeaders response headers stored and replayed besides the body (Content-Type always is; cookies,
 * credentials and hop-by-hop headers never are)
 * @param replayClientErrors whether 4xx responses are stored and replayed; when false they release the key
 * @param maxResponseSize the largest response body, in bytes, that is stored; a larger one is answered, and
 * replayed, as a 500 problem that names the limit, never truncated
 * @param maxRequestSize the largest request body, in bytes, a guarded request may have (it is hashed, streamed);
 * a larger one is answered 413 and nothing is stored
 * @param storedStatuses the final statuses stored and replayed; others release the key
 */
public record WebIdempotencySettings(String headerName, boolean required, List<String> replayedHeaders,
		boolean replayClientErrors, int maxResponseSize, long maxRequestSize, StatusPolicy storedStatuses) {

	/**
	 * Header {@code Idempotency-Key}, required, replays Content-Type and Location, stores 2xx to 4xx, 1 MiB
	 * response and request bodies.
	 */
	public static final WebIdempotencySettings DEFAULTS = new WebIdempotencySettings("Idempotency-Key", true,
			List.of("Content-Type", "Location"), true, 1024 * 1024, 1024 * 1024, StatusPolicy.DEFAULT);

	/** The longest key accepted, as the IETF draft suggests. */
	public static final int MAX_KEY_LENGTH = 255;

	public WebIdempotencySettings {
		replayedHeaders = List.copyOf(replayedHeaders);
	}

	/**
	 * Settings with the default request limit and stored statuses.
	 * @param headerName the key header
	 * @param required whether the header is required
	 * @param replayedHeaders the replayed headers
	 * @param replayClientErrors whether 4xx responses are stored
	 * @param maxResponseSize the largest stored response body
	 */
	public WebIdempotencySettings(String headerName, boolean required, List<String> replayedHeaders,
			boolean replayClientErrors, int maxResponseSize) {
		this(headerName, required, replayedHeaders, replayClientErrors, maxResponseSize, 1024 * 1024,
				StatusPolicy.DEFAULT);
	}

}
