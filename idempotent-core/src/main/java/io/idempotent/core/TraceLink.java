package io.idempotent.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The original execution's trace id, carried inside the stored result bytes so that a replay can name the trace
 * that did the work (the store SPI is unchanged). The envelope is {@code NUL "idempotent:trace" NUL}, one length
 * byte, the trace id in ASCII, then the result as the engine or the HTTP path wrote it. Neither JSON nor a
 * stored HTTP response starts with a NUL byte, so bytes without the envelope (records written before it, or with
 * tracing off) read unchanged, and the engine strips it whether or not tracing is on now. A result that itself
 * begins with the envelope's prefix (bytes from a codec other than JSON) is always enveloped, with an empty trace
 * id when there is none, so that reading it strips only the envelope and never the result's own bytes.
 */
public final class TraceLink {

	private static final byte[] PREFIX = "\0idempotent:trace\0".getBytes(StandardCharsets.US_ASCII);

	/** The longest trace id carried (W3C ids are 32 hex characters). */
	public static final int MAX_TRACE_ID_LENGTH = 64;

	/** The most bytes the envelope adds to a result. */
	public static final int OVERHEAD = PREFIX.length + 1 + MAX_TRACE_ID_LENGTH;

	private TraceLink() {
	}

	/**
	 * Wraps a result with the trace id that produced it.
	 * @param traceId the trace id; null, empty or too long leaves the result unchanged unless it begins with the
	 * envelope's prefix, which is then enveloped with an empty trace id
	 * @param result the result bytes
	 * @return the enveloped bytes
	 */
	public static byte[] wrap(String traceId, byte[] result) {
		if (result == null) {
			return null;
		}
		if (traceId == null || traceId.isEmpty() || traceId.length() > MAX_TRACE_ID_LENGTH) {
			if (!startsWithPrefix(result)) {
				return result;
			}
			traceId = "";
		}
		byte[] id = traceId.getBytes(StandardCharsets.US_ASCII);
		byte[] wrapped = new byte[PREFIX.length + 1 + id.length + result.length];
		System.arraycopy(PREFIX, 0, wrapped, 0, PREFIX.length);
		wrapped[PREFIX.length] = (byte) id.length;
		System.arraycopy(id, 0, wrapped, PREFIX.length + 1, id.length);
		System.arraycopy(result, 0, wrapped, PREFIX.length + 1 + id.length, result.length);
		return wrapped;
	}

	/**
	 * The trace id carried by stored bytes.
	 * @param stored the stored bytes
	 * @return the trace id, or null when the bytes carry none
	 */
	public static String traceId(byte[] stored) {
		if (!isWrapped(stored) || idLength(stored) == 0) {
			return null;
		}
		return new String(stored, PREFIX.length + 1, idLength(stored), StandardCharsets.US_ASCII);
	}

	/**
	 * The result inside stored bytes.
	 * @param stored the stored bytes
	 * @return the result without the envelope (the same array when there is none)
	 */
	public static byte[] unwrap(byte[] stored) {
		if (!isWrapped(stored)) {
			return stored;
		}
		return Arrays.copyOfRange(stored, PREFIX.length + 1 + idLength(stored), stored.length);
	}

	private static boolean isWrapped(byte[] stored) {
		return stored != null && stored.length > PREFIX.length && startsWithPrefix(stored)
				&& stored.length >= PREFIX.length + 1 + idLength(stored);
	}

	private static boolean startsWithPrefix(byte[] bytes) {
		return bytes.length >= PREFIX.length && bytes[0] == 0
				&& Arrays.equals(bytes, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
	}

	private static int idLength(byte[] stored) {
		return stored[PREFIX.length] & 0xff;
	}

}
