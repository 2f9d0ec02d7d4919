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

	private static final AcquireResult IN_PROGRESS = new AcquireResult(Status.IN_PROGRESS, null, null);

	private final Status status;

	private final String token;

	private final byte[] result;

	private AcquireResult(Status status, String token, byte[] result) {
		this.status = status;
		this.token = token;
		this.result = result;
	}

	/**
	 * The caller owns the key.
	 * @param token the owner's fencing token
	 * @return the result
	 */
	public static AcquireResult acquired(String token) {
		return new AcquireResult(Status.ACQUIRED, Objects.requireNonNull(token, "token"), null);
	}

	/**
	 * Another caller holds the key.
	 * @return the result
	 */
	public static AcquireResult inProgress() {
		return IN_PROGRESS;
	}

	/**
	 * The key completed earlier.
	 * @param result the stored result bytes (null is read as empty)
	 * @return the result
	 */
	public static AcquireResult completed(byte[] result) {
		return new AcquireResult(Status.COMPLETED, null, (result != null) ? result : EMPTY);
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
