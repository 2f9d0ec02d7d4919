package io.idempotent.core;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyKey;

/**
 * The {@link Attempt} the engine hands out: what the claim found and, when ACQUIRED, the claim itself with its
 * keep-alive. Ends once: by completion (retried in the background when the store fails), release, or a
 * fencing refusal. Until it has ended it counts as held, which is what graceful shutdown waits for.
 */
final class ClaimedAttempt implements Attempt {

	private static final Logger logger = LoggerFactory.getLogger(ClaimedAttempt.class);

	/** Ends claims whose attempt was dropped by a transport without complete or release. */
	private static final Cleaner CLEANER = Cleaner.create();

	private final IdempotencyEngine engine;

	private final IdempotentOperation operation;

	private final IdempotencyKey key;

	private final Status status;

	private final AcquireResult claim;

	private final byte[] fingerprint;

	private final LeaseKeepAlive.Handle renewal;

	private final IdempotencyContext context;

	private final long acquiredAt = System.nanoTime();

	private final AtomicBoolean ended = new AtomicBoolean();

	private final AtomicBoolean finished;

	private final Cleaner.Cleanable abandonment;

	ClaimedAttempt(IdempotencyEngine engine, IdempotentOperation operation, IdempotencyKey key, Status status,
			AcquireResult claim, byte[] fingerprint, boolean guardAbandonment) {
		this.engine = engine;
		this.operation = operation;
		this.key = key;
		this.status = status;
		this.claim = claim;
		this.fingerprint = fingerprint;
		boolean acquired = status == Status.ACQUIRED;
		boolean renew = acquired && operation.settings().keepAlive();
		this.renewal = renew ? engine.keepAlive().track(operation, key, claim.token()) : null;
		this.context = acquired ? new IdempotencyContext(operation, key, claim.fence(), this::isOwned) : null;
		this.finished = new AtomicBoolean(!acquired);
		if (acquired) {
			engine.held(1);
		}
		if (acquired && guardAbandonment) {
			this.abandonment = CLEANER.register(this, new Abandoned(engine, operation.name(), this.renewal, this.finished));
		}
		else {
			this.abandonment = null;
		}
	}

	IdempotencyStore store() {
		return this.engine.store();
	}

	IdempotentOperation operation() {
		return this.operation;
	}

	IdempotencyKey key() {
		return this.key;
	}

	String token() {
		return this.claim.token();
	}

	@Override
	public Status status() {
		return this.status;
	}

	@Override
	public byte[] storedResult() {
		byte[] stored = (this.status == Status.COMPLETED) ? TraceLink.unwrap(this.claim.result()) : null;
		if (UnstorableResult.isMarker(stored)) {
			throw new IdempotencyResultUnavailableException(this.operation.name(), UnstorableResult.reason(stored));
		}
		return stored;
	}

	@Override
	public String originalTraceId() {
		return (this.status == Status.COMPLETED) ? TraceLink.traceId(this.claim.result()) : null;
	}

	@Override
	public long fence() {
		return (this.status == Status.ACQUIRED) ? this.claim.fence() : 0;
	}

	@Override
	public byte[] fingerprint() {
		return (this.claim != null && this.status != Status.ACQUIRED) ? this.claim.fingerprint() : null;
	}

	@Override
	public boolean payloadMatches() {
		byte[] stored = (this.claim != null) ? this.claim.fingerprint() : null;
		return stored == null || this.fingerprint == null || Arrays.equals(stored, this.fingerprint);
	}

	@Override
	public IdempotencyContext context() {
		return this.context;
	}

	@Override
	public void executed(boolean success, long nanos) {
		this.engine.observer().executed(this.operation, success, nanos);
	}

	@Override
	public void complete(byte[] result) {
		if (!end()) {
			return;
		}
		byte[] stored = storable(result);
		NearCache.Mark mark = nearCacheMark();
		boolean confirmed = false;
		try {
			if (store().complete(this.key, token(), stored, this.operation.settings().retention())) {
				finished();
				confirmed = true;
			}
			else {
				fencedOut("complete");
			}
		}
		catch (Throwable ex) {
			// an Error from the store too (a client broken mid-flight): the work took effect, so the completion is
			// retried; dropping it here would leave the claim kept alive, and the key held, until restart
			logger.warn("Call of '{}' succeeded but could not be recorded as completed; keeping its key held and "
					+ "retrying in the background", this.operation.name(), ex);
			if (this.renewal != null) {
				this.renewal.completionPending();
			}
			this.engine.completionRetry().start(this, stored);
			if (ex instanceof Error error) {
				throw error;
			}
		}
		if (confirmed) {
			// outside the try: nothing the cache does can be mistaken for a failed store write
			keepNear(mark, stored);
		}
	}

	/**
	 * A mark of the near cache taken before the completion is written, or null when the operation uses none.
	 */
	NearCache.Mark nearCacheMark() {
		return this.operation.settings().nearCache() ? this.engine.nearCache().mark() : null;
	}

	/**
	 * Keeps a completion the store confirmed in the near cache (when the operation uses it). Never fails the call:
	 * the cache is an optimisation, the store has the record.
	 */
	void keepNear(NearCache.Mark mark, byte[] stored) {
		if (mark == null) {
			return;
		}
		try {
			this.engine.nearCache().completed(mark, this.key, stored, this.fingerprint,
					this.operation.settings().retention());
		}
		catch (RuntimeException ex) {
			logger.warn("Completion of '{}' could not be kept in the near cache; its duplicates go to the store",
					this.operation.name(), ex);
		}
	}

	/**
	 * The result as the store can keep it: itself (enveloped when its own bytes begin like the trace envelope, so
	 * that a replay does not strip them, see {@link TraceLink}), or a marker when it is over the store's limit.
	 */
	byte[] storable(byte[] result) {
		int limit = store().maxResultSize();
		byte[] escaped = TraceLink.wrap(null, result);
		if (escaped.length <= limit) {
			return escaped;
		}
		logger.warn("Result of '{}' is {} bytes, over the {} bytes the store accepts; the key is completed without "
				+ "it and duplicates will fail with IdempotencyResultUnavailableException", this.operation.name(),
				result.length, limit);
		return UnstorableResult.marker("its " + result.length + " bytes exceed the store's limit of " + limit);
	}

	/**
	 * Ends the attempt without a store call of its own: its completion is being written by the caller's
	 * transaction, so its lease need no longer be kept alive.
	 * @return false when the attempt had already ended
	 */
	boolean endElsewhere() {
		if (!end()) {
			return false;
		}
		if (this.renewal != null) {
			this.renewal.close();
		}
		return true;
	}

	/** Releases the claim of an attempt ended by {@link #endElsewhere()} whose transaction did not commit. */
	void releaseEndedElsewhere() {
		try {
			if (!store().release(this.key, token())) {
				logger.debug("Claim of '{}' was not released after its transaction ended without committing: the key "
						+ "is no longer held by this call", this.operation.name());
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Call of '{}' failed and its claim could not be released; a retry can run once the lease "
					+ "expires", this.operation.name(), ex);
		}
		finished();
	}

	@Override
	public void completeWithoutResult(String reason) {
		complete(UnstorableResult.marker(reason));
	}

	@Override
	public void release() {
		if (!end()) {
			return;
		}
		try {
			if (!store().release(this.key, token())) {
				fencedOut("release");
				return;
			}
		}
		catch (Throwable ex) {
			logger.warn("Call of '{}' failed and its claim could not be released; a retry can run once the lease "
					+ "expires", this.operation.name(), ex);
			// an Error too: stop keeping the claim alive, or the key would be held until restart
			finished();
			if (ex instanceof Error error) {
				throw error;
			}
		}
		finished();
	}

	/** Whether this call still owns its key. */
	boolean isOwned() {
		if (this.finished.get()) {
			return false;
		}
		if (this.renewal != null) {
			return this.renewal.isOwned();
		}
		return System.nanoTime() - this.acquiredAt < this.operation.settings().lease().toNanos();
	}

	/**
	 * Whether this claim has been held without a gap since it was made (its lease kept alive, or, without
	 * keep-alive, not yet run out), so no other caller can have claimed, run and completed the key meanwhile.
	 */
	boolean heldThroughout() {
		if (this.renewal != null) {
			return this.renewal.heldThroughout();
		}
		return System.nanoTime() - this.acquiredAt < this.operation.settings().lease().toNanos();
	}

	private boolean end() {
		return this.status == Status.ACQUIRED && this.ended.compareAndSet(false, true);
	}

	void finished() {
		if (this.finished.compareAndSet(false, true)) {
			if (this.renewal != null) {
				this.renewal.close();
			}
			this.engine.held(-1);
		}
		if (this.abandonment != null) {
			this.abandonment.clean();
		}
	}

	void completionFailed() {
		try {
			this.engine.observer().completionFailed(this.operation);
		}
		finally {
			finished();
		}
	}

	void fencedOut(String transition) {
		logger.warn("Call of '{}' ran past its lease and the key was taken over; its {} was refused (fenced out). "
				+ "Raise the lease or keep keep-alive on", this.operation.name(), transition);
		try {
			this.engine.observer().fencedOut(this.operation, transition);
		}
		finally {
			finished();
		}
	}

	/**
	 * The safety net for a transport that drops an ACQUIRED attempt on a path that neither completes nor
	 * releases it (an {@link Error} it did not catch): once the attempt is garbage, its keep-alive stops, so the
	 * key expires with its lease instead of being held until the JVM restarts. Holds no reference to the
	 * attempt.
	 */
	private record Abandoned(IdempotencyEngine engine, String operation, LeaseKeepAlive.Handle renewal,
			AtomicBoolean finished) implements Runnable {

		@Override
		public void run() {
			if (this.finished.compareAndSet(false, true)) {
				logger.warn("A claimed call of '{}' was dropped without being completed or released; its key expires "
						+ "with its lease", this.operation);
				if (this.renewal != null) {
					this.renewal.close();
				}
				this.engine.held(-1);
			}
		}

	}

}
