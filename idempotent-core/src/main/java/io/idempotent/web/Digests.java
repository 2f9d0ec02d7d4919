package io.idempotent.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 helpers for request fingerprints: raw digests, length-prefixed fields so that no two field lists
 * hash alike.
 */
final class Digests {

	private Digests() {
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

	static void field(MessageDigest digest, String value) {
		byte[] bytes = (value != null) ? value.getBytes(StandardCharsets.UTF_8) : new byte[0];
		length(digest, (value != null) ? bytes.length : -1);
		digest.update(bytes);
	}

	static void length(MessageDigest digest, long length) {
		for (int shift = 56; shift >= 0; shift -= 8) {
			digest.update((byte) (length >>> shift));
		}
	}

}
