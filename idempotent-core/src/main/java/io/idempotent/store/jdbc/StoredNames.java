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
		byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
		if (utf8.length <= MAX_PLAIN_BYTES && !startsWithPrefix(utf8)) {
			return utf8;
		}
		return HexFormat.of().formatHex(sha256(utf8)).transform((hex) -> {
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
