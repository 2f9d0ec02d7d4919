package io.idempotent.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.IdempotencyKey;

/**
 * The algorithm, once, for every transport: claim the key, run the call, then complete the key with the
 * result, or release it when the call throws.
 *
 * <ol>
 * <li>{@link IdempotencyStore#tryAcquire(io.idempotent.store.IdempotencyKey, Duration, byte[])} atomically, with
 * the call's payload fingerprint.</li>
 * <li>ACQUIRED: run with the claim visible to the code ({@link IdempotencyContext}); while it runs the lease
 * is kept alive if configured. On success complete with the encoded result (fenced by the owner token); on any
 * {@link Throwable} release and rethrow it unchanged. Every path out of a claimed call ends the claim: a
 * result the codec cannot encode or the store cannot hold completes the key without it (duplicates then get
 * {@link IdempotencyResultUnavailableException}), an {@link Error} after the method returned still completes,
 * and a completion the store fails is retried in the background while the key stays held.</li>
 * <li>COMPLETED: do not run; return the first call's result, replayed (or refuse a different payload when
 * configured, {@link PayloadMismatch#REFUSE}).</li>
 * <li>IN_PROGRESS: do not run; throw {@link IdempotencyInProgressException} (adapters map it to redelivery
 * or 409), or wait on this thread when the call asks to ({@link GuardedCall#waitsWhileInProgress()}).</li>
 * </ol>
 * A store failure on the claim fails the call ({@link FailureMode#FAIL_CLOSED}) or runs it unguarded
 * ({@link FailureMode#FAIL_OPEN}).
 *
 * <p>Near cache: for an operation that uses one ({@link IdempotencySettings#nearCache()}), a key this instance
 * completed is answered from its {@link NearCache} before step 1, with no store call, exactly as step 3 would
 * answer it (same bytes, same fingerprint comparison). Only completions the store confirmed are kept: after a
 * successful {@link IdempotencyStore#complete}, or after the commit of a transaction that completed the key;
 * {@link #evict} clears this instance's entry with the store's record.
 *
 * <p>Graceful shutdown: {@link #awaitClaimsEnded(Duration)} waits until every claimed call has completed or
 * released (completion retries included); {@link #close()} then stops the keep-alive and the retries.
 */
public final class IdempotencyEngine implements AutoCloseable {

	/** How long a completion the store fails is retried by default. */
	public static final Duration DEFAULT_COMPLETION_RETRY_LIMIT = Duration.ofMinutes(5);

	private static final Logger logger = LoggerFactory.getLogger(IdempotencyEngine.class);

	private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(1);

	private final IdempotencyStore store;

	private final IdempotencyObserver observer;

	private final LeaseKeepAlive keepAlive;

	private final CompletionRetry completionRetry;

	private final TransactionalCompletion transactionalCompletion;

	private final NearCache nearCache;

	private final LongAdder held = new LongAdder();

	private volatile boolean closing;

	/**
	 * Creates an engine.
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param keepAlive renews the leases of running calls (on the same store)
	 * @param completionRetryLimit how long a completion the store fails is retried in the background
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, LeaseKeepAlive keepAlive,
			Duration completionRetryLimit) {
		this(store, observer, keepAlive, completionRetryLimit, null);
	}

	/**
	 * Creates an engine that can also complete keys inside the call's own transaction.
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param keepAlive renews the leases of running calls (on the same store)
	 * @param completionRetryLimit how long a completion the store fails is retried in the background
	 * @param transactionalCompletion runs operations that commit their completion with their transaction
	 * ({@link IdempotencySettings#commitWithTransaction()}), or null when the store cannot
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, LeaseKeepAlive keepAlive,
			Duration completionRetryLimit, TransactionalCompletion transactionalCompletion) {
		this(store, observer, keepAlive, completionRetryLimit, transactionalCompletion, NearCache.NONE);
	}

	/**
	 * Creates an engine that answers duplicates of the keys it completed from a near cache, for the operations
	 * that use one ({@link IdempotencySettings#nearCache()}).
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param keepAlive renews the leases of running calls (on the same store)
	 * @param completionRetryLimit how long a completion the store fails is retried in the background
	 * @param transactionalCompletion runs operations that commit their completion with their transaction, or null
	 * @param nearCache keeps this instance's confirmed completions ({@link NearCache#NONE} for none)
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, LeaseKeepAlive keepAlive,
			Duration completionRetryLimit, TransactionalCompletion transactionalCompletion, NearCache nearCache) {
		this.store = store;
		this.observer = observer;
		this.keepAlive = keepAlive;
		this.completionRetry = new CompletionRetry(completionRetryLimit);
		this.transactionalCompletion = transactionalCompletion;
		this.nearCache = (nearCache != null) ? nearCache : NearCache.NONE;
	}

	/**
	 * Creates an engine that retries failed completions for {@link #DEFAULT_COMPLETION_RETRY_LIMIT}.
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param keepAlive renews the leases of running calls (on the same store)
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, LeaseKeepAlive keepAlive) {
		this(store, observer, keepAlive, DEFAULT_COMPLETION_RETRY_LIMIT);
	}

	/**
	 * Creates an engine with its own keep-alive on the given store.
	 * @param store the store
	 * @param observer hears outcomes (metrics)
	 * @param completionRetryLimit how long a completion the store fails is retried in the background
	 */
	public IdempotencyEngine(IdempotencyStore store, IdempotencyObserver observer, Duration completionRetryLimit) {
		this(store, observer, new LeaseKeepAlive(store, observer), completionRetryLimit);
	}

	/**
	 * Creates an engine with no observer and its own keep-alive.
	 * @param store the store
	 */
	public IdempotencyEngine(IdempotencyStore store) {
		this(store, IdempotencyObserver.NONE, DEFAULT_COMPLETION_RETRY_LIMIT);
	}

	/**
	 * The store this engine guards with.
	 * @return the store
	 */
	public IdempotencyStore store() {
		return this.store;
	}

	/**
	 * What runs the operations that commit their completion with their transaction.
	 * @return it, or null when this engine's store cannot
	 */
	public TransactionalCompletion transactionalCompletion() {
		return this.transactionalCompletion;
	}

	/**
	 * This instance's near cache of completed keys.
	 * @return the cache ({@link NearCache#NONE} when there is none)
	 */
	public NearCache nearCache() {
		return this.nearCache;
	}

	/**
	 * Deletes a key's record whatever its state (an operator forcing a reprocess): from the store, and from this
	 * instance's near cache. Other instances keep their near-cache entry until it expires.
	 * @param key the key
	 * @return whether the store deleted a live record
	 */
	public boolean evict(IdempotencyKey key) {
		try {
			return this.store.evict(key);
		}
		finally {
			// after the store: a duplicate between the two would otherwise fill nothing back in, but a completion
			// marked before this invalidation must not be kept either (see NearCache#mark)
			this.nearCache.invalidate(key);
		}
	}

	IdempotencyObserver observer() {
		return this.observer;
	}

	LeaseKeepAlive keepAlive() {
		return this.keepAlive;
	}

	CompletionRetry completionRetry() {
		return this.completionRetry;
	}

	void held(int delta) {
		this.held.add(delta);
	}

	/**
	 * How many claims are held by calls that have not ended yet (running, or completing in the background).
	 * @return the count
	 */
	public int claimsHeld() {
		return (int) this.held.sum();
	}

	/**
	 * Runs a call at most once per key.
	 * @param <T> the result type
	 * @param operation the operation
	 * @param key the key
	 * @param call the call
	 * @return the call's result, or the first call's result replayed
	 * @throws IdempotencyInProgressException when the key is held by a running call
	 * @throws IdempotencyPayloadMismatchException when a completed key came back with another payload and the
	 * operation refuses that
	 * @throws IdempotencyResultUnavailableException when the key completed but its result could not be stored
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed
	 * @throws Throwable whatever the call throws, unchanged
	 */
	public <T> T execute(IdempotentOperation operation, IdempotencyKey key, GuardedCall<T> call) throws Throwable {
		byte[] fingerprint = call.fingerprint();
		// runClaimed ends every claim it starts, so no safety net for dropped attempts is needed here
		Attempt attempt = claim(operation, key, fingerprint, false);
		while (attempt.status() == Attempt.Status.IN_PROGRESS && call.waitsWhileInProgress() && !this.closing) {
			pause(operation);
			attempt = claim(operation, key, fingerprint, false);
		}
		switch (attempt.status()) {
			case COMPLETED:
				if (!attempt.payloadMatches()
						&& operation.settings().payloadMismatch() == PayloadMismatch.REFUSE) {
					throw new IdempotencyPayloadMismatchException(operation.name());
				}
				return call.replay(attempt.storedResult());
			case IN_PROGRESS:
				call.refusedInProgress();
				throw inProgress(operation);
			case UNGUARDED:
				return call.proceed();
			default:
				return runClaimed(operation, (ClaimedAttempt) attempt, call);
		}
	}

	private <T> T runClaimed(IdempotentOperation operation, ClaimedAttempt attempt, GuardedCall<T> call)
			throws Throwable {
		if (operation.settings().commitWithTransaction()) {
			return runInTransaction(operation, attempt, call);
		}
		long start = System.nanoTime();
		T result;
		try (IdempotencyContext.Scope scope = IdempotencyContext.bind(attempt.context())) {
			result = call.proceed();
		}
		catch (Throwable ex) {
			try {
				attempt.executed(false, System.nanoTime() - start);
			}
			finally {
				attempt.release();
			}
			throw ex;
		}
		// the work has taken effect: from here every path completes the key
		Throwable deferred = null;
		try {
			attempt.executed(true, System.nanoTime() - start);
		}
		catch (Throwable ex) {
			deferred = ex;
		}
		try {
			if (call.completes(result)) {
				attempt.complete(encode(operation, call, result));
			}
			else {
				attempt.release();
			}
		}
		catch (Throwable ex) {
			deferred = (deferred != null) ? deferred : ex;
			attempt.complete(UnstorableResult.marker("completing failed: " + ex));
		}
		if (deferred instanceof Error error) {
			throw error;
		}
		if (deferred != null) {
			logger.warn("An observer of '{}' failed after the call succeeded", operation.name(), deferred);
		}
		return result;
	}

	private <T> T runInTransaction(IdempotentOperation operation, ClaimedAttempt attempt, GuardedCall<T> call)
			throws Throwable {
		if (this.transactionalCompletion == null) {
			attempt.release();
			throw new IllegalStateException("Operation '" + operation.name() + "' commits its completion with its "
					+ "transaction, which needs the JDBC store and a transaction manager for its DataSource; this "
					+ "engine's " + this.store.type() + " store cannot");
		}
		TransactionBoundClaim<T> claim = new TransactionBoundClaim<>(attempt, (result) -> call.completes(result)
				? attempt.storable(encode(operation, call, result)) : null);
		try (IdempotencyContext.Scope scope = IdempotencyContext.bind(attempt.context())) {
			return this.transactionalCompletion.run(claim, () -> claim.timed(call::proceed));
		}
	}

	/**
	 * Begins the transaction of an ACQUIRED attempt of an operation that commits its completion with its
	 * transaction ({@link IdempotencySettings#commitWithTransaction()}), for a caller that drives the completion
	 * itself: the work it runs next on this thread joins the transaction, which it ends with
	 * {@link TransactionalAttempt#commit} or {@link TransactionalAttempt#rollback} on this thread. The attempt
	 * must not be completed or released otherwise.
	 * @param attempt an ACQUIRED attempt from {@link #begin}
	 * @return the transaction
	 * @throws IllegalStateException when this engine cannot commit completions with transactions, or the
	 * transaction is not on the store's database (the claim is released)
	 */
	public TransactionalAttempt beginTransaction(Attempt attempt) {
		if (!(attempt instanceof ClaimedAttempt claimed) || claimed.status() != Attempt.Status.ACQUIRED) {
			throw new IllegalArgumentException("Only an ACQUIRED attempt of this engine runs in a transaction");
		}
		if (this.transactionalCompletion == null) {
			claimed.release();
			throw new IllegalStateException("Operation '" + claimed.operation().name() + "' commits its completion "
					+ "with its transaction, which needs the JDBC store and a transaction manager for its DataSource; "
					+ "this engine's " + this.store.type() + " store cannot");
		}
		TransactionBoundClaim<byte[]> claim = new TransactionBoundClaim<>(claimed, claimed::storable);
		return new TransactionalAttempt(this.transactionalCompletion.begin(claim));
	}

	/**
	 * Claims a key for a call whose completion the caller drives (see {@link Attempt}), without a payload
	 * fingerprint.
	 * @param operation the operation
	 * @param key the key
	 * @return the attempt
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed
	 */
	public Attempt begin(IdempotentOperation operation, IdempotencyKey key) {
		return begin(operation, key, null);
	}

	/**
	 * Claims a key for a call whose completion the caller drives (see {@link Attempt}). Duplicates are counted
	 * here (a completed key whose stored fingerprint differs as a payload mismatch); an ACQUIRED attempt's
	 * lease is kept alive until it completes or is released. An ACQUIRED attempt dropped without either (an
	 * {@link Error} its transport did not catch) stops being kept alive once it is garbage-collected, so its key
	 * expires with its lease instead of being held until restart.
	 * @param operation the operation
	 * @param key the key
	 * @param fingerprint a digest of the call's payload (at most 64 bytes), stored with the claim, or null
	 * @return the attempt
	 * @throws IdempotencyStoreException when the store fails and the operation fails closed
	 */
	public Attempt begin(IdempotentOperation operation, IdempotencyKey key, byte[] fingerprint) {
		return claim(operation, key, fingerprint, true);
	}

	private Attempt claim(IdempotentOperation operation, IdempotencyKey key, byte[] fingerprint,
			boolean guardAbandonment) {
		if (operation.settings().nearCache()) {
			AcquireResult cached = this.nearCache.find(key);
			if (cached != null) {
				this.observer.nearCacheHit(operation, TraceLink.traceId(cached.result()));
				return completed(operation, key, cached, fingerprint, DuplicateLevel.NEAR);
			}
		}
		AcquireResult claim;
		try {
			claim = this.store.tryAcquire(key, operation.settings().lease(), fingerprint);
		}
		catch (RuntimeException ex) {
			if (operation.settings().failureMode() == FailureMode.FAIL_OPEN) {
				logger.warn("Store unavailable; running '{}' unguarded (fail-open)", operation.name(), ex);
				this.observer.failedOpen(operation);
				return new ClaimedAttempt(this, operation, key, Attempt.Status.UNGUARDED, null, fingerprint,
						false);
			}
			throw asStoreException(ex, operation);
		}
		switch (claim.status()) {
			case COMPLETED:
				return completed(operation, key, claim, fingerprint, DuplicateLevel.STORE);
			case IN_PROGRESS:
				logger.debug("Duplicate of a running call of '{}' refused", operation.name());
				this.observer.duplicate(operation, AcquireResult.Status.IN_PROGRESS, DuplicateLevel.STORE);
				return new ClaimedAttempt(this, operation, key, Attempt.Status.IN_PROGRESS, claim, fingerprint, false);
			default:
				return new ClaimedAttempt(this, operation, key, Attempt.Status.ACQUIRED, claim, fingerprint,
						guardAbandonment);
		}
	}

	private Attempt completed(IdempotentOperation operation, IdempotencyKey key, AcquireResult claim,
			byte[] fingerprint, DuplicateLevel level) {
		ClaimedAttempt completed = new ClaimedAttempt(this, operation, key, Attempt.Status.COMPLETED, claim,
				fingerprint, false);
		if (completed.payloadMatches()) {
			logger.debug("Duplicate of a completed call of '{}' skipped", operation.name());
			this.observer.duplicate(operation, AcquireResult.Status.COMPLETED, level);
		}
		else {
			logger.warn("A completed key of '{}' came back with a different payload (key reused for another "
					+ "message or request); {}", operation.name(),
					(operation.settings().payloadMismatch() == PayloadMismatch.REFUSE) ? "refused"
							: "treated as a duplicate");
			this.observer.payloadMismatch(operation, level);
		}
		return completed;
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

	/**
	 * Marks the start of shutdown: duplicates waiting on their thread for a running call
	 * ({@link GuardedCall#waitsWhileInProgress()}) stop waiting and are refused as in progress, so they do not
	 * hold up the shutdown of their consumer. Claims already held are unaffected.
	 */
	public void shutdownStarted() {
		this.closing = true;
	}

	/**
	 * Waits until every claimed call has ended (completed, released, or its background completion finished),
	 * for graceful shutdown; refuses new waits for running duplicates meanwhile.
	 * @param timeout the longest wait
	 * @return true when no claim is held any more
	 */
	public boolean awaitClaimsEnded(Duration timeout) {
		shutdownStarted();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.held.sum() > 0) {
			if (System.nanoTime() - deadline >= 0) {
				logger.warn("{} guarded call(s) still hold their keys at shutdown; they expire with their leases",
						this.held.sum());
				return false;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		return true;
	}

	/** Stops the keep-alive and the completion retries; calls still running lose their claims with the lease. */
	@Override
	public void close() {
		this.closing = true;
		this.completionRetry.close();
		this.keepAlive.close();
	}

	private void pause(IdempotentOperation operation) throws IdempotencyInProgressException {
		long millis = Math.max(10, Math.min(operation.settings().lease().toMillis() / 4, 500));
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw inProgress(operation);
		}
	}

	private <T> byte[] encode(IdempotentOperation operation, GuardedCall<T> call, T result) {
		try {
			byte[] encoded = call.encode(result);
			return (encoded != null) ? encoded : new byte[0];
		}
		catch (Throwable ex) {
			logger.warn("Result of '{}' cannot be stored; the key is completed without it and duplicates will fail "
					+ "with IdempotencyResultUnavailableException", operation.name(), ex);
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
			return UnstorableResult.marker(ex.getClass().getName() + ": " + ex.getMessage());
		}
	}

	private static IdempotencyStoreException asStoreException(RuntimeException ex, IdempotentOperation operation) {
		if (ex instanceof IdempotencyStoreException storeException) {
			return storeException;
		}
		return new IdempotencyStoreException("Store failed to claim a key of '" + operation.name() + "'", ex);
	}

}
