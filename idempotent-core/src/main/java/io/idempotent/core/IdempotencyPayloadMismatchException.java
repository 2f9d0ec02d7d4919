package io.idempotent.core;

/**
 * A key that already completed came back with a different payload, and its operation is configured to refuse
 * such calls ({@link PayloadMismatch#REFUSE}). Names the operation, never the key. Carries no stack trace.
 */
public class IdempotencyPayloadMismatchException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 */
	public IdempotencyPayloadMismatchException(String operation) {
		super("A completed key of idempotent operation '" + operation + "' came back with a different payload; "
				+ "refused (on-payload-mismatch=refuse)", null, false);
	}

}
