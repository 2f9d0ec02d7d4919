package io.idempotent.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The identity of one record in a store: the operation name and the business key within it.
 *
 * <p>Keys longer than {@value #MAX_PLAIN_LENGTH} characters, or holding characters outside printable ASCII,
 * are replaced by {@code "sha256:"} and the hex SHA-256 of their UTF-8 bytes, so every store can hold any key
 * in a bounded column. Two equal raw keys always map to the same stored key.
 *
 * @param name the operation name (namespace)
 * @param value the stored key within the operation
 */
public record IdempotencyKey(String name, String value) {

	/** Longest key stored as given; longer keys are stored as their SHA-256. */
	public static final int MAX_PLAIN_LENGTH = 128;

	private static final String HASH_PREFIX = "sha256:";

	public IdempotencyKey {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(value, "value");
	}

	/**
	 * Creates the key for a raw business key, hashing it when it is long or not printable ASCII.
	 * @param name the operation name
	 * @param rawKey the business key, neither null nor blank
	 * @return the stored key
	 */
	public static IdempotencyKey of(String name, String rawKey) {
		return new IdempotencyKey(name, storable(rawKey) ? rawKey : sha256(rawKey));
	}

	private static boolean storable(String rawKey) {
		if (rawKey.length() > MAX_PLAIN_LENGTH || rawKey.startsWith(HASH_PREFIX)) {
			return false;
		}
		for (int i = 0; i < rawKey.length(); i++) {
			char c = rawKey.charAt(i);
			if (c < 0x20 || c > 0x7e) {
				return false;
			}
		}
		return true;
	}

	private static String sha256(String rawKey) {
		return HASH_PREFIX + Sha256.hex(rawKey.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public String toString() {
		// never print the key itself: it may hold personal data
		return "IdempotencyKey[name=" + this.name + "]";
	}

}
