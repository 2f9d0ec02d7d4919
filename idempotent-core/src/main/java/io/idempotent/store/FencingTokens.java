package io.idempotent.store;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creates owner tokens for claims. Tokens must be unique, not secret, so a fast non-blocking random source
 * is used instead of {@link UUID#randomUUID()}'s {@code SecureRandom}.
 */
public final class FencingTokens {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private FencingTokens() {
	}

	/**
	 * A new 128-bit token as 32 hex characters.
	 * @return the token
	 */
	public static String next() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		char[] token = new char[32];
		fill(token, 0, random.nextLong());
		fill(token, 16, random.nextLong());
		return new String(token);
	}

	private static void fill(char[] token, int offset, long value) {
		for (int i = 15; i >= 0; i--) {
			token[offset + i] = HEX[(int) (value & 0xF)];
			value >>>= 4;
		}
	}

}
