package io.idempotent.store;

import java.util.Objects;

/**
 * What {@link IdempotencyStore#tryAcquire} found, decided in one atomic step.
 *
 * <ul>
 * <li>{@link Status#ACQUIRED}: the caller now owns the key; {@link #token()} is its fencing token.</li>
 * <li>{@link Status#IN_PROGRESS}: another caller holds an unexpired lease.</li>
 * <li>{@link Status#COMPLETED}: the key completed earlier; {@link #result()} holds the stored bytes.</li>
 * </ul>
 */
public final class AcquireResult {

	/** The three outcomes of a claim. */
	public enum Status {

		/** The caller owns the key and must complete or release it. */
		ACQUIRED,

		/** Another caller holds an unexpired lease on the key. */
		IN_PROGRESS,

		/** The key completed earlier and is retained with its result. */
		COMPLETED

	}

	private static final byte[] EMPTY = new byte[0];

	private static final AcquireResult IN_PROGRESS = new AcquireResult(Status.IN_PROGRESS, null, 0, null, null);

	private final Status status;

	private final String token;

	private final long fence;

	private final byte[] result;

	private final byte[] fingerprint;

	private AcquireResult(Status status, String token, long fence, byte[] result, byte[] fingerprint) {
		this.status = status;
		this.token = token;
		this.fence = fence;
		this.result = result;
		this.fingerprint = fingerprint;
	}

	/**
	 * The caller owns the key.
	 * @param token the owner's fencing token
	 * @return the result
	 */
	public static AcquireResult acquired(String token) {
		return acquired(token, 0);
	}

	/**
	 * The caller owns the key.
	 * @param token the owner's fencing token
	 * @param fence the key's fence for this claim: greater than every earlier claim's of the same key (0 when
	 * the store keeps none)
	 * @return the result
	 */
	public static AcquireResult acquired(String token, long fence) {
		return new AcquireResult(Status.ACQUIRED, Objects.requireNonNull(token, "token"), fence, null, null);
	}

	/**
	 * Another caller holds the key.
	 * @return the result
	 */
	public static AcquireResult inProgress() {
		return IN_PROGRESS;
	}

	/**
	 * Another caller holds the key.
	 * @param fingerprint the holder's request fingerprint, or null when unknown
	 * @return the result
	 */
	public static AcquireResult inProgress(byte[] fingerprint) {
		return (fingerprint != null) ? new AcquireResult(Status.IN_PROGRESS, null, 0, null, fingerprint) : IN_PROGRESS;
	}

	/**
	 * The key completed earlier.
	 * @param result the stored result bytes (null is read as empty)
	 * @return the result
	 */
	public static AcquireResult completed(byte[] result) {
		return completed(result, null);
	}

	/**
	 * The key completed earlier.
	 * @param result the stored result bytes (null is read as empty)
	 * @param fingerprint the first request's fingerprint, or null when unknown
	 * @return the result
	 */
	public static AcquireResult completed(byte[] result, byte[] fingerprint) {
		return new AcquireResult(Status.COMPLETED, null, 0, (result != null) ? result : EMPTY, fingerprint);
	}

	/**
	 * The outcome.
	 * @return the status
	 */
	public Status status() {
		return this.status;
	}

	/**
	 * The fencing token of an {@link Status#ACQUIRED} claim, else null.
	 * @return the token
	 */
	public String token() {
		return this.token;
	}

	/**
	 * The fence of an {@link Status#ACQUIRED} claim: it grows with every claim and takeover of the key, so it can
	 * version a conditional write downstream. 0 when the store keeps none, or for other outcomes.
	 * @return the fence
	 */
	public long fence() {
		return this.fence;
	}

	/**
	 * The fingerprint stored with the existing record ({@link Status#IN_PROGRESS} or {@link Status#COMPLETED}),
	 * or null when none was stored or the store keeps none. Not copied: do not modify.
	 * @return the fingerprint bytes
	 */
	public byte[] fingerprint() {
		return this.fingerprint;
	}

	/**
	 * The stored result of a {@link Status#COMPLETED} key, else null. Not copied: do not modify.
	 * @return the result bytes
	 */
	public byte[] result() {
		return this.result;
	}

	@Override
	public String toString() {
		return "AcquireResult[" + this.status + "]";
	}

}
