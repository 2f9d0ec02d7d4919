package io.idempotent.store;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creates owner tokens for claims. Tokens must be unique, not secret, so a fast non-blocking random source
 * is used instead of {@link UUID#randomUUID()}'s {@code SecureRandom}.
 */
public final class FencingTokens {

	private FencingTokens() {
	}

	/**
	 * A new 128-bit token as 32 hex characters.
	 * @return the token
	 */
	public static String next() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return toHex(random.nextLong()) + toHex(random.nextLong());
	}

	private static String toHex(long value) {
		String hex = Long.toHexString(value);
		return (hex.length() == 16) ? hex : "0".repeat(16 - hex.length()) + hex;
	}

}
