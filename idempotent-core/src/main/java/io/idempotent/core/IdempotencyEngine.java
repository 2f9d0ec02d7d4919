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
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed, or when the call's
	 * encoded result is over the store's {@link IdempotencyStore#maxResultSize()} (the key is then released)
	 * @throws Throwable whatever the call throws, unchanged
	 */
	public <T> T execute(IdempotentOperation operation, IdempotencyKey key, GuardedCall<T> call) throws Throwable {
		Attempt attempt = begin(operation, key);
		switch (attempt.status()) {
			case COMPLETED:
				return call.replay(attempt.storedResult());
			case IN_PROGRESS:
				throw inProgress(operation);
			case UNGUARDED:
				return call.proceed();
			default:
				break;
		}
		long start = System.nanoTime();
		T result;
		try {
			result = call.proceed();
		}
		catch (Throwable ex) {
			attempt.executed(false, System.nanoTime() - start);
			attempt.release();
			throw ex;
		}
		attempt.executed(true, System.nanoTime() - start);
		if (call.completes(result)) {
			byte[] encoded = encode(operation, call, result);
			int limit = this.store.maxResultSize();
			if (encoded.length > limit) {
				// the store would refuse it, leaving the claim PROCESSING until the lease ends and the work to run
				// again after it: refuse cleanly instead (release the claim, fail the call), as the SPI asks
				attempt.release();
				throw new IdempotencyStoreException("The result of '" + operation.name() + "' is " + encoded.length
						+ " bytes, over the " + limit + " bytes the " + this.store.type() + " store keeps "
						+ "(idempotent.store.max-result-size): the call ran but cannot be recorded, so it fails and its "
						+ "key is released");
			}
			attempt.complete(encoded);
		}
		else {
			attempt.release();
		}
		return result;
	}

	/**
	 * Claims a key for a call whose completion the caller drives (see {@link Attempt}). Duplicates are counted
	 * here; an ACQUIRED attempt's lease is kept alive until it completes or is released.
	 * @param operation the operation
	 * @param key the key
	 * @return the attempt
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed
	 */
	public Attempt begin(IdempotentOperation operation, IdempotencyKey key) {
		AcquireResult claim;
		try {
			claim = this.store.tryAcquire(key, operation.settings().lease());
		}
		catch (RuntimeException ex) {
			if (operation.settings().failureMode() == FailureMode.FAIL_OPEN) {
				logger.warn("Store unavailable; running '{}' unguarded (fail-open)", operation.name(), ex);
				this.observer.failedOpen(operation);
				return new Claim(operation, key, Attempt.Status.UNGUARDED, null, null);
			}
			throw asStoreException(ex, operation);
		}
		switch (claim.status()) {
			case COMPLETED:
				logger.debug("Duplicate of a completed call of '{}' skipped", operation.name());
				this.observer.duplicate(operation, AcquireResult.Status.COMPLETED);
				return new Claim(operation, key, Attempt.Status.COMPLETED, null, claim.result());
			case IN_PROGRESS:
				logger.debug("Duplicate of a running call of '{}' refused", operation.name());
				this.observer.duplicate(operation, AcquireResult.Status.IN_PROGRESS);
				return new Claim(operation, key, Attempt.Status.IN_PROGRESS, null, null);
			default:
				return new Claim(operation, key, Attempt.Status.ACQUIRED, claim.token(), null);
		}
	}

	/**
	 * The exception a duplicate of a running call gets.
	 * @param operation the operation
	 * @return the exception, with a retry hint of at most one second
	 */
	public static IdempotencyInProgressException inProgress(IdempotentOperation operation) {
		Duration lease = operation.settings().lease();
		return new IdempotencyInProgressException(operation.name(),
				(lease.compareTo(MAX_RETRY_AFTER) < 0) ? lease : MAX_RETRY_AFTER);
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

	private static IdempotencyStoreException asStoreException(RuntimeException ex, IdempotentOperation operation) {
		if (ex instanceof IdempotencyStoreException storeException) {
			return storeException;
		}
		return new IdempotencyStoreException("Store failed to claim a key of '" + operation.name() + "'", ex);
	}

	private final class Claim implements Attempt {

		private final IdempotentOperation operation;

		private final IdempotencyKey key;

		private final Status status;

		private final String token;

		private final byte[] storedResult;

		private final LeaseKeepAlive.Handle renewal;

		private boolean ended;

		Claim(IdempotentOperation operation, IdempotencyKey key, Status status, String token, byte[] storedResult) {
			this.operation = operation;
			this.key = key;
			this.status = status;
			this.token = token;
			this.storedResult = storedResult;
			boolean renew = status == Status.ACQUIRED && operation.settings().keepAlive();
			this.renewal = renew ? IdempotencyEngine.this.keepAlive.track(operation, key, token) : null;
		}

		@Override
		public Status status() {
			return this.status;
		}

		@Override
		public byte[] storedResult() {
			return this.storedResult;
		}

		@Override
		public void executed(boolean success, long nanos) {
			IdempotencyEngine.this.observer.executed(this.operation, success, nanos);
		}

		@Override
		public int maxResultSize() {
			return IdempotencyEngine.this.store.maxResultSize();
		}

		@Override
		public void complete(byte[] result) {
			if (!end()) {
				return;
			}
			try {
				if (!IdempotencyEngine.this.store.complete(this.key, this.token, result,
						this.operation.settings().retention())) {
					fencedOut("complete");
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Call of '{}' succeeded but could not be recorded as completed; its claim expires with "
						+ "the lease", this.operation.name(), ex);
			}
		}

		@Override
		public void release() {
			if (!end()) {
				return;
			}
			try {
				if (!IdempotencyEngine.this.store.release(this.key, this.token)) {
					fencedOut("release");
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Call of '{}' failed and its claim could not be released; a retry can run once the lease "
						+ "expires", this.operation.name(), ex);
			}
		}

		private boolean end() {
			if (this.status != Status.ACQUIRED || this.ended) {
				return false;
			}
			this.ended = true;
			if (this.renewal != null) {
				this.renewal.close();
			}
			return true;
		}

		private void fencedOut(String transition) {
			logger.warn("Call of '{}' ran past its lease and the key was taken over; its {} was refused (fenced out). "
					+ "Raise the lease or keep keep-alive on", this.operation.name(), transition);
			IdempotencyEngine.this.observer.fencedOut(this.operation, transition);
		}

	}

}
