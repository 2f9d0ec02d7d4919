package io.idempotent.core;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;

/**
 * The algorithm, once: claim the key, run the call, then complete the key with the result, or release it
 * when the call throws.
 *
 * <ol>
 * <li>{@link IdempotencyStore#tryAcquire} atomically.</li>
 * <li>ACQUIRED: run; on success complete with the encoded result (fenced by the owner token); on an exception
 * release and rethrow the exception unchanged. While it runs, the lease is kept alive if configured.</li>
 * <li>COMPLETED: do not run; return the first call's result, replayed.</li>
 * <li>IN_PROGRESS: do not run; throw {@link IdempotencyInProgressException} (adapters map it to redelivery
 * or 409).</li>
 * </ol>
 * A store failure on the claim fails the call ({@link FailureMode#FAIL_CLOSED}) or runs it unguarded
 * ({@link FailureMode#FAIL_OPEN}). A store failure after the call ran is logged, not thrown: the work has
 * taken effect, and failing the call would only invite a second run.
 */
public final class IdempotencyEngine {

	private static final Logger logger = LoggerFactory.getLogger(IdempotencyEngine.class);

	private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(1);

	private final IdempotencyStore store;

	private final IdempotencyObserver observer;

	private final LeaseKeepAlive keepAlive;

	/**
	 * Creates an engine.
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param keepAlive renews the leases of running calls
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, LeaseKeepAlive keepAlive) {
		this.store = store;
		this.observer = observer;
		this.keepAlive = keepAlive;
	}

	/**
	 * Creates an engine with no observer and its own keep-alive.
	 * @param store the store
	 */
	public IdempotencyEngine(IdempotencyStore store) {
		this(store, IdempotencyObserver.NONE, new LeaseKeepAlive(store, IdempotencyObserver.NONE));
	}

	/**
	 * The store this engine guards with.
	 * @return the store
	 */
	public IdempotencyStore store() {
		return this.store;
	}

	/**
	 * Runs a call at most once per key.
	 * @param <T> the result type
	 * @param operation the operation
	 * @param key the key
	 * @param call the call
	 * @return the call's result, or the first call's result replayed
	 * @throws IdempotencyInProgressException when the key is held by a running call
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed
	 * @throws Throwable whatever the call throws, unchanged
	 */
	public <T> T execute(IdempotentOperation operation, IdempotencyKey key, GuardedCall<T> call) throws Throwable {
		AcquireResult claim;
		try {
			claim = this.store.tryAcquire(key, operation.settings().lease());
		}
		catch (RuntimeException ex) {
			if (operation.settings().failureMode() == FailureMode.FAIL_OPEN) {
				logger.warn("Store unavailable; running '{}' unguarded (fail-open)", operation.name(), ex);
				this.observer.failedOpen(operation);
				return call.proceed();
			}
			throw asStoreException(ex, "claim", operation);
		}
		return switch (claim.status()) {
			case ACQUIRED -> runClaimed(operation, key, claim.token(), call);
			case COMPLETED -> replay(operation, claim, call);
			case IN_PROGRESS -> throw inProgress(operation);
		};
	}

	private <T> T replay(IdempotentOperation operation, AcquireResult claim, GuardedCall<T> call) {
		logger.debug("Duplicate of a completed call of '{}' skipped", operation.name());
		this.observer.duplicate(operation, AcquireResult.Status.COMPLETED);
		return call.replay(claim.result());
	}

	private IdempotencyInProgressException inProgress(IdempotentOperation operation) {
		logger.debug("Duplicate of a running call of '{}' refused", operation.name());
		this.observer.duplicate(operation, AcquireResult.Status.IN_PROGRESS);
		Duration lease = operation.settings().lease();
		return new IdempotencyInProgressException(operation.name(),
				(lease.compareTo(MAX_RETRY_AFTER) < 0) ? lease : MAX_RETRY_AFTER);
	}

	private <T> T runClaimed(IdempotentOperation operation, IdempotencyKey key, String token, GuardedCall<T> call)
			throws Throwable {
		LeaseKeepAlive.Handle renewal = operation.settings().keepAlive() ? this.keepAlive.track(operation, key, token) : null;
		long start = System.nanoTime();
		T result;
		try {
			result = call.proceed();
		}
		catch (Throwable ex) {
			stop(renewal);
			this.observer.executed(operation, false, System.nanoTime() - start);
			release(operation, key, token);
			throw ex;
		}
		stop(renewal);
		this.observer.executed(operation, true, System.nanoTime() - start);
		if (call.completes(result)) {
			complete(operation, key, token, encode(operation, call, result));
		}
		else {
			release(operation, key, token);
		}
		return result;
	}

	private <T> byte[] encode(IdempotentOperation operation, GuardedCall<T> call, T result) {
		try {
			return call.encode(result);
		}
		catch (RuntimeException ex) {
			logger.warn("Result of '{}' cannot be stored; duplicates will get an empty result", operation.name(), ex);
			return new byte[0];
		}
	}

	private void complete(IdempotentOperation operation, IdempotencyKey key, String token, byte[] result) {
		try {
			if (!this.store.complete(key, token, result, operation.settings().retention())) {
				fencedOut(operation, "complete");
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Call of '{}' succeeded but could not be recorded as completed; its claim expires with the "
					+ "lease", operation.name(), ex);
		}
	}

	private void release(IdempotentOperation operation, IdempotencyKey key, String token) {
		try {
			if (!this.store.release(key, token)) {
				fencedOut(operation, "release");
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Call of '{}' failed and its claim could not be released; a retry can run once the lease "
					+ "expires", operation.name(), ex);
		}
	}

	private void fencedOut(IdempotentOperation operation, String transition) {
		logger.warn("Call of '{}' ran past its lease and the key was taken over; its {} was refused (fenced out). "
				+ "Raise the lease or keep keep-alive on", operation.name(), transition);
		this.observer.fencedOut(operation, transition);
	}

	private static void stop(LeaseKeepAlive.Handle renewal) {
		if (renewal != null) {
			renewal.close();
		}
	}

	private static IdempotencyStoreException asStoreException(RuntimeException ex, String transition,
			IdempotentOperation operation) {
		if (ex instanceof IdempotencyStoreException storeException) {
			return storeException;
		}
		return new IdempotencyStoreException("Store failed to " + transition + " a key of '" + operation.name() + "'",
				ex);
	}

}
