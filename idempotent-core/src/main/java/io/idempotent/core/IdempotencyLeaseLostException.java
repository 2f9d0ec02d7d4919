package io.idempotent.core;

/**
 * Thrown by {@link IdempotencyContext#assertOwned()} when the running call no longer owns its key: its lease
 * could not be renewed in time or another caller took the key over. Names the operation, never the key.
 * Also thrown ({@link #beforeCommit(String)}) when an operation that commits its completion with its
 * transaction ({@link IdempotencySettings#commitWithTransaction()}) finds, just before the commit, that another
 * caller took the key over: that transaction, with the call's own writes, has been rolled back.
 */
public class IdempotencyLeaseLostException extends IdempotencyException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param operation the operation name
	 */
	public IdempotencyLeaseLostException(String operation) {
		super("A running call of idempotent operation '" + operation + "' lost its claim (lease not renewed in time "
				+ "or taken over); stop before taking effect");
	}

	private IdempotencyLeaseLostException(String operation, boolean rolledBack) {
		super("Idempotent operation '" + operation + "' lost its key to another caller before its transaction "
				+ "committed; the transaction was rolled back");
	}

	/**
	 * The exception of a commit-with-transaction call whose key was taken over before its transaction
	 * committed; the transaction has been rolled back.
	 * @param operation the operation name
	 * @return the exception
	 */
	public static IdempotencyLeaseLostException beforeCommit(String operation) {
		return new IdempotencyLeaseLostException(operation, true);
	}

}
