package io.idempotent.web;

import java.util.Enumeration;

/**
 * Reads the {@code Idempotency-Key} header as the IETF draft defines it: a Structured Field string
 * ({@code "8e03978e-..."}), also accepted bare ({@code 8e03978e-...}); both forms name the same key. One header
 * only: two are refused, never silently resolved. The key itself must be 1 to
 * {@value WebIdempotencySettings#MAX_KEY_LENGTH} visible ASCII characters.
 */
final class IdempotencyKeyHeader {

	private IdempotencyKeyHeader() {
	}

	/**
	 * Parses the values of the key header.
	 * @param headerName the header's name, for messages
	 * @param values every value of the header in the request
	 * @return the key, or the reason it is refused (400)
	 */
	static Parsed parse(String headerName, Enumeration<String> values) {
		if (values == null || !values.hasMoreElements()) {
			return Parsed.missing();
		}
		String value = values.nextElement();
		if (values.hasMoreElements()) {
			return Parsed.refused("The request has more than one " + headerName + " header");
		}
		String key = value;
		if (value.length() >= 1 && value.charAt(0) == '"') {
			key = unquote(value);
			if (key == null) {
				return Parsed.refused("The " + headerName + " header is not a valid quoted string");
			}
		}
		String problem = malformed(key);
		return (problem != null) ? Parsed.refused(problem) : Parsed.of(key);
	}

	/**
	 * An sf-string (RFC 8941, section 3.3.3) without its quotes and escapes; null when it is not one.
	 */
	private static String unquote(String value) {
		if (value.length() < 2 || value.charAt(value.length() - 1) != '"') {
			return null;
		}
		StringBuilder key = new StringBuilder(value.length());
		for (int i = 1; i < value.length() - 1; i++) {
			char c = value.charAt(i);
			if (c == '\\') {
				if (i + 1 >= value.length() - 1) {
					return null;
				}
				char escaped = value.charAt(++i);
				if (escaped != '"' && escaped != '\\') {
					return null;
				}
				key.append(escaped);
			}
			else if (c == '"') {
				return null;
			}
			else {
				key.append(c);
			}
		}
		return key.toString();
	}

	static String malformed(String key) {
		if (key.isEmpty()) {
			return "The idempotency key is empty";
		}
		if (key.length() > WebIdempotencySettings.MAX_KEY_LENGTH) {
			return "The idempotency key is longer than " + WebIdempotencySettings.MAX_KEY_LENGTH + " characters";
		}
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c < 0x21 || c > 0x7e) {
				return "The idempotency key may hold only visible ASCII characters";
			}
		}
		return null;
	}

	/**
	 * The outcome of reading the header.
	 *
	 * @param key the key, or null
	 * @param problem why the header is refused, or null
	 */
	record Parsed(String key, String problem) {

		static Parsed missing() {
			return new Parsed(null, null);
		}

		static Parsed refused(String problem) {
			return new Parsed(null, problem);
		}

		static Parsed of(String key) {
			return new Parsed(key, null);
		}

		boolean isMissing() {
			return this.key == null && this.problem == null;
		}

	}

}
