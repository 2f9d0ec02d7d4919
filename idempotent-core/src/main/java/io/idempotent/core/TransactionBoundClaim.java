package io.idempotent.core;

import java.time.Duration;
import java.util.function.Function;
import io.idempotent.store.IdempotencyKey;

/**
 * The engine's side of a claim completed by the call's transaction ({@link TransactionalCompletion}): times
 * the call for the observer and ends the {@link ClaimedAttempt} once, as the transaction's outcome says.
 *
 * @param <T> the call's result type
 */
final class TransactionBoundClaim<T> implements TransactionalCompletion.Claim<T> {

	private final ClaimedAttempt attempt;

	private final Function<T, byte[]> encoder;

	/** Set once the completion (or the decision to release) is handed to the transaction. */
	private volatile boolean completing;

	private volatile boolean releaseOnCommit;

	private volatile boolean fenced;

	/** What the transaction completes the key with, kept for the near cache once it has committed. */
	private volatile byte[] completion;

	/**
	 * Taken before the transaction begins: the store counts the retention from the transaction's start
	 * ({@code CURRENT_TIMESTAMP} on PostgreSQL and H2), not from the completing statement, so a mark taken at
	 * {@link #completing()} would let the entry outlive the record by the transaction's duration.
	 */
	private volatile NearCache.Mark mark;

	TransactionBoundClaim(ClaimedAttempt attempt, Function<T, byte[]> encoder) {
		this.attempt = attempt;
		this.encoder = encoder;
		this.mark = attempt.nearCacheMark();
	}

	T timed(TransactionalCompletion.Call<T> call) throws Throwable {
		long start = System.nanoTime();
		T result;
		try {
			result = call.proceed();
		}
		catch (Throwable ex) {
			this.attempt.executed(false, System.nanoTime() - start);
			throw ex;
		}
		this.attempt.executed(true, System.nanoTime() - start);
		return result;
	}

	@Override
	public IdempotencyKey key() {
		return this.attempt.key();
	}

	@Override
	public String token() {
		return this.attempt.token();
	}

	@Override
	public Duration retention() {
		return this.attempt.operation().settings().retention();
	}

	@Override
	public byte[] completion(T result) {
		byte[] completion = this.encoder.apply(result);
		this.releaseOnCommit = completion == null;
		this.completion = completion;
		return completion;
	}

	@Override
	public void joinedOpenTransaction() {
		// its start, from which the store may count the retention, precedes the mark: keep nothing
		this.mark = null;
	}

	@Override
	public void completing() {
		this.completing = this.attempt.endElsewhere();
	}

	@Override
	public void committed() {
		if (this.releaseOnCommit || !this.completing) {
			// nothing was completed by the transaction: the key must not stay held
			if (this.completing) {
				this.attempt.releaseEndedElsewhere();
			}
			else {
				this.attempt.release();
			}
			return;
		}
		this.attempt.finished();
		// only now, after the commit, is the completion the store's: a rollback keeps nothing
		this.attempt.keepNear(this.mark, this.completion);
	}

	@Override
	public void rolledBack() {
		if (this.fenced) {
			return;
		}
		if (this.completing) {
			this.attempt.releaseEndedElsewhere();
		}
		else {
			this.attempt.release();
		}
	}

	@Override
	public void fencedOut() {
		this.fenced = true;
		this.attempt.fencedOut("complete");
	}

}
