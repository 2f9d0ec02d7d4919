package io.idempotent.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The tuning of one guarded operation.
 *
 * @param lease how long a claim (PROCESSING) is held before another caller may take it over; short, so a
 * crashed worker does not block its key for long
 * @param retention how long a completed record (and its result) is kept and duplicates are recognised
 * @param keepAlive whether a running call renews its lease periodically, so a slow but healthy call is not
 * mistaken for a crashed one
 * @param failureMode what to do when the store cannot be reached
 * @param payloadMismatch what a duplicate of a completed key with a different payload does
 * @param commitWithTransaction whether the call runs in a transaction on the store's database and its key
 * completes in that same transaction, just before it commits (JDBC store only, see
 * {@link TransactionalCompletion}); otherwise the completion is a separate store call after the call returns
 * @param nearCache whether this instance keeps the keys it completed, with their results, in its near cache
 * ({@link NearCache}), so a duplicate of one is answered without a store round trip
 */
public record IdempotencySettings(Duration lease, Duration retention, boolean keepAlive, FailureMode failureMode,
		PayloadMismatch payloadMismatch, boolean commitWithTransaction, boolean nearCache) {

	/** One minute lease, 24 hours retention, keep-alive on, fail closed, payload mismatches replayed. */
	public static final IdempotencySettings DEFAULTS = new IdempotencySettings(Duration.ofMinutes(1),
			Duration.ofHours(24), true, FailureMode.FAIL_CLOSED);

	public IdempotencySettings {
		Objects.requireNonNull(failureMode, "failureMode");
		Objects.requireNonNull(payloadMismatch, "payloadMismatch");
		requirePositive(lease, "lease");
		requirePositive(retention, "retention");
	}

	/**
	 * Settings whose payload mismatches are replayed ({@link PayloadMismatch#REPLAY}).
	 * @param lease the lease
	 * @param retention the retention
	 * @param keepAlive whether the lease is kept alive
	 * @param failureMode the failure mode
	 */
	public IdempotencySettings(Duration lease, Duration retention, boolean keepAlive, FailureMode failureMode) {
		this(lease, retention, keepAlive, failureMode, PayloadMismatch.REPLAY);
	}

	/**
	 * Settings whose completion is a separate store call.
	 * @param lease the lease
	 * @param retention the retention
	 * @param keepAlive whether the lease is kept alive
	 * @param failureMode the failure mode
	 * @param payloadMismatch what a duplicate with a different payload does
	 */
	public IdempotencySettings(Duration lease, Duration retention, boolean keepAlive, FailureMode failureMode,
			PayloadMismatch payloadMismatch) {
		this(lease, retention, keepAlive, failureMode, payloadMismatch, false);
	}

	/**
	 * Settings that use no near cache.
	 * @param lease the lease
	 * @param retention the retention
	 * @param keepAlive whether the lease is kept alive
	 * @param failureMode the failure mode
	 * @param payloadMismatch what a duplicate with a different payload does
	 * @param commitWithTransaction whether the completion commits with the call's transaction
	 */
	public IdempotencySettings(Duration lease, Duration retention, boolean keepAlive, FailureMode failureMode,
			PayloadMismatch payloadMismatch, boolean commitWithTransaction) {
		this(lease, retention, keepAlive, failureMode, payloadMismatch, commitWithTransaction, false);
	}

	/**
	 * A copy of these settings that commits (or not) the completion with the call's transaction.
	 * @param commit whether the completion commits with the call's transaction
	 * @return the copy
	 */
	public IdempotencySettings withCommitWithTransaction(boolean commit) {
		return new IdempotencySettings(this.lease, this.retention, this.keepAlive, this.failureMode,
				this.payloadMismatch, commit, this.nearCache);
	}

	/**
	 * A copy of these settings that uses (or not) the near cache.
	 * @param enabled whether completed keys are kept in the near cache
	 * @return the copy
	 */
	public IdempotencySettings withNearCache(boolean enabled) {
		return new IdempotencySettings(this.lease, this.retention, this.keepAlive, this.failureMode,
				this.payloadMismatch, this.commitWithTransaction, enabled);
	}

	private static void requirePositive(Duration duration, String what) {
		if (duration == null || duration.isNegative() || duration.isZero() || duration.toMillis() < 1) {
			throw new IllegalArgumentException(what + " must be at least 1 ms, was " + duration);
		}
	}

}
