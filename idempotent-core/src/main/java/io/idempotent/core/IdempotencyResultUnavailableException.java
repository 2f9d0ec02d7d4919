package io.idempotent.core;

/**
 * A duplicate of a completed call cannot be given the first call's result, because that result could not be
 * stored (the codec failed on it, or it was larger than the store accepts). The guarded method ran once and
 * does not run again; rather than answer with a different value (null), the duplicate fails with this.
 */
public class IdempotencyResultUnavailableException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 * @param reason why the first result was not stored
	 */
	public IdempotencyResultUnavailableException(String operation, String reason) {
		super("Idempotent operation '" + operation + "' already ran for this key, but its result could not be "
				+ "stored (" + reason + "), so this duplicate cannot be given it");
	}

}
