package io.idempotent.core;

/**
 * A call of an operation that commits its completion with its transaction
 * ({@link IdempotencySettings#commitWithTransaction()}) no longer owned its key when the transaction was about
 * to commit (its lease ran out and another caller took the key over): the transaction, with the call's own
 * writes, was rolled back. The caller should treat the call as failed and not acknowledge it; the new owner's
 * outcome decides what a redelivery sees.
 */
public class IdempotencyLeaseLostException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	private final String operation;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 */
	public IdempotencyLeaseLostException(String operation) {
		super("Idempotent operation '" + operation + "' lost its key to another caller before its transaction "
				+ "committed; the transaction was rolled back", null, true);
		this.operation = operation;
	}

	/**
	 * The operation whose key was lost.
	 * @return the operation name
	 */
	public String getOperation() {
		return this.operation;
	}

}
