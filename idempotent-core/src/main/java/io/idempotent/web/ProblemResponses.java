package io.idempotent.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes RFC 9457 {@code application/problem+json} answers for the guard's own refusals.
 */
final class ProblemResponses {

	static final String CONTENT_TYPE = "application/problem+json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemResponses() {
	}

	static byte[] body(int status, String title, String detail) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", title);
		problem.put("status", status);
		problem.put("detail", detail);
		return JSON.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
	}

	static void write(HttpServletResponse response, int status, String title, String detail, Duration retryAfter)
			throws IOException {
		response.resetBuffer();
		response.setStatus(status);
		response.setContentType(CONTENT_TYPE);
		if (retryAfter != null) {
			response.setHeader("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
		}
		byte[] body = body(status, title, detail);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

}
