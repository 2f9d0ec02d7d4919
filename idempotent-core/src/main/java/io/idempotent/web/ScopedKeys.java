package io.idempotent.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Joins a caller's scope and the key it sent into the key that is stored, so that no key sent in one scope can
 * ever equal a key of another. The encoding is tagged and length-prefixed: {@code -:<key>} for the global
 * (anonymous) scope, {@code s<n>:<scope>:<key>} for a scope whose URL-encoded name is {@code n} characters
 * long. A key sent by an anonymous caller cannot start with a tag it does not own, and the length makes the
 * scope's end unambiguous, whatever either part contains (separators included). Only {@code null} is the
 * global scope: an empty scope (a principal whose name is empty) is a named scope ({@code s0::<key>}), so an
 * anonymous caller never shares it.
 */
public final class ScopedKeys {

	private static final String GLOBAL = "-:";

	private ScopedKeys() {
	}

	/**
	 * The stored form of a key sent in a scope.
	 * @param scope the scope ({@link IdempotencyScopeResolver}); null for the global scope
	 * @param key the key as sent (after unquoting)
	 * @return the scoped key
	 */
	public static String of(String scope, String key) {
		if (scope == null) {
			return GLOBAL + key;
		}
		String encoded = URLEncoder.encode(scope, StandardCharsets.UTF_8);
		return "s" + encoded.length() + ":" + encoded + ":" + key;
	}

}
