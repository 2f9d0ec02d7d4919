package io.idempotent.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * How the JDBC store writes operation names and keys: their UTF-8 bytes, compared byte for byte by binary
 * columns, so "ORDER-A", "order-a" and "order-a " (trailing space) are three keys on every database. A name
 * or key longer than {@value #MAX_PLAIN_BYTES} bytes, or one that starts with {@code sha256:}, is written as
 * {@code sha256:} and the hex SHA-256 of its bytes ({@value #HASHED_BYTES} bytes), so text of any length fits
 * the {@value #COLUMN_BYTES}-byte columns and a raw value can never equal another value's hash.
 *
 * <p>A name or key that is not well-formed UTF-16 (an unpaired surrogate, such as one a JSON {@code "\ud800"}
 * escape yields) has no UTF-8 form: {@link String#getBytes} would write {@code ?} for the surrogate and merge it
 * with the key that really holds {@code ?}. Such a value is always hashed, over {@code 0xFF} and its UTF-16BE
 * code units: {@code 0xFF} never occurs in UTF-8, so its hash input differs from every well-formed value's.
 */
final class StoredNames {

	/** Longest name or key written as its plain UTF-8 bytes. */
	static final int MAX_PLAIN_BYTES = 160;

	/** Length of a hashed name or key. */
	static final int HASHED_BYTES = 71;

	/** Width of the name and key columns in the shipped schemas. */
	static final int COLUMN_BYTES = 200;

	private static final byte[] PREFIX = "sha256:".getBytes(StandardCharsets.US_ASCII);

	private StoredNames() {
	}

	/**
	 * The bytes written for a name or key.
	 * @param text the name or key
	 * @return at most {@value #MAX_PLAIN_BYTES} bytes
	 */
	static byte[] encode(String text) {
		if (!wellFormed(text)) {
			// the code units themselves: Java's UTF-16 encoder, too, replaces an unpaired surrogate
			byte[] marked = new byte[1 + 2 * text.length()];
			marked[0] = (byte) 0xFF;
			for (int i = 0; i < text.length(); i++) {
				marked[1 + 2 * i] = (byte) (text.charAt(i) >> 8);
				marked[2 + 2 * i] = (byte) text.charAt(i);
			}
			return hashed(marked);
		}
		byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
		if (utf8.length <= MAX_PLAIN_BYTES && !startsWithPrefix(utf8)) {
			return utf8;
		}
		return hashed(utf8);
	}

	/**
	 * Whether every surrogate in the text is part of a pair, so its UTF-8 bytes stand for it alone.
	 * @param text the text
	 * @return true when the text is well-formed UTF-16
	 */
	static boolean wellFormed(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	private static byte[] hashed(byte[] input) {
		return HexFormat.of().formatHex(sha256(input)).transform((hex) -> {
			byte[] hashed = Arrays.copyOf(PREFIX, PREFIX.length + hex.length());
			System.arraycopy(hex.getBytes(StandardCharsets.US_ASCII), 0, hashed, PREFIX.length, hex.length());
			return hashed;
		});
	}

	private static boolean startsWithPrefix(byte[] utf8) {
		return utf8.length >= PREFIX.length && Arrays.equals(utf8, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

}
