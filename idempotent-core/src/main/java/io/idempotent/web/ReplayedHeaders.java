package io.idempotent.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Which response headers are stored and replayed: {@code Content-Type}, plus the configured ones, minus a
 * deny-list that no configuration can lift, because a replay reaches whoever holds the key: cookies,
 * credentials and challenges, and hop-by-hop headers that describe one connection.
 */
final class ReplayedHeaders {

	private static final Set<String> DENIED = Set.of("set-cookie", "set-cookie2", "cookie", "authorization",
			"proxy-authorization", "proxy-authenticate", "www-authenticate", "authentication-info",
			"proxy-authentication-info", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
			"trailer", "upgrade", "content-length", "date",
			WebInvocationAdapter.REPLAYED_HEADER.toLowerCase(Locale.ROOT));

	private ReplayedHeaders() {
	}

	/**
	 * Whether a header may be stored and replayed at all.
	 * @param name the header name
	 * @return false for denied headers
	 */
	static boolean allowed(String name) {
		return !DENIED.contains(name.toLowerCase(Locale.ROOT));
	}

	/**
	 * The headers of a response to store.
	 * @param response the response
	 * @param names the configured header names
	 * @return the headers, Content-Type first
	 */
	static List<Map.Entry<String, String>> select(HttpServletResponse response, List<String> names) {
		List<Map.Entry<String, String>> headers = new ArrayList<>();
		if (response.getContentType() != null) {
			headers.add(Map.entry("Content-Type", response.getContentType()));
		}
		for (String name : names) {
			if (!name.equalsIgnoreCase("Content-Type") && allowed(name)) {
				for (String value : response.getHeaders(name)) {
					headers.add(Map.entry(name, value));
				}
			}
		}
		return headers;
	}

}
