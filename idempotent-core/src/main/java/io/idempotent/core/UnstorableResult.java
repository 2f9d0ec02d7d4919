package io.idempotent.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The record a call completes with when its result could not be stored (the codec failed, or it is larger
 * than the store accepts): the key is completed, so the work never runs twice, and a duplicate gets
 * {@link IdempotencyResultUnavailableException} instead of a different answer. Recognised by value: a marker
 * that starts with a NUL byte, which neither JSON nor a stored HTTP response does.
 */
final class UnstorableResult {

	private static final byte[] PREFIX = "\0idempotent:unstorable-result\0".getBytes(StandardCharsets.US_ASCII);

	private UnstorableResult() {
	}

	static byte[] marker(String reason) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		byte[] marker = Arrays.copyOf(PREFIX, PREFIX.length + Math.min(text.length, 200));
		System.arraycopy(text, 0, marker, PREFIX.length, marker.length - PREFIX.length);
		return marker;
	}

	static boolean isMarker(byte[] stored) {
		return stored != null && stored.length >= PREFIX.length
				&& Arrays.equals(stored, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
	}

	static String reason(byte[] marker) {
		return new String(marker, PREFIX.length, marker.length - PREFIX.length, StandardCharsets.UTF_8);
	}

}
