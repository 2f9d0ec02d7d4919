package io.idempotent.core;

import java.time.Duration;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;

/**
 * This instance's first line of defence in front of the shared store: the keys it completed itself, each with
 * the answer the store would give a duplicate (its stored result and fingerprint), so that a duplicate of one of
 * them costs no round trip. Used only by operations that opt in ({@link IdempotencySettings#nearCache()}).
 *
 * <p>What may be kept, and for how long, is the engine's promise; implementations keep it as follows:
 * <ul>
 * <li>Only completions the store confirmed: {@link #completed} is called after the store answered that the
 * completion was written (after the commit, when the completion commits with the call's transaction). A claim
 * still PROCESSING, a completion the store failed (being retried in the background), a fenced-out or released
 * claim and a rolled-back transaction are never kept.</li>
 * <li>At most until the record's retention ends, counted from {@link #mark()} taken before the completion was
 * written (so no later than the store's own expiry, clocks permitting), and at most the cache's own time to
 * live. A completion committed with the call's transaction is marked before that transaction begins (the store
 * may count the retention from the transaction's start), and one that joined an already open transaction is
 * not kept.</li>
 * <li>An {@link #invalidate} (an operator evicting the key on this instance) removes the entry, and a
 * completion whose mark was taken before the invalidation is not kept.</li>
 * </ul>
 * Other instances are not told of an eviction: they answer from their own entry until it expires.
 */
public interface NearCache {

	/** Keeps nothing. */
	NearCache NONE = new NearCache() {

		@Override
		public AcquireResult find(IdempotencyKey key) {
			return null;
		}

		@Override
		public Mark mark() {
			return null;
		}

		@Override
		public void completed(Mark mark, IdempotencyKey key, byte[] stored, byte[] fingerprint, Duration retention) {
		}

		@Override
		public void invalidate(IdempotencyKey key) {
		}

		@Override
		public long size() {
			return 0;
		}

	};

	/**
	 * The answer the store would give a duplicate of a key this instance completed.
	 * @param key the key
	 * @return a {@link AcquireResult.Status#COMPLETED} result with the stored bytes and fingerprint, or null
	 */
	AcquireResult find(IdempotencyKey key);

	/**
	 * Taken just before a completion is written: the moment its retention is counted from, and what lets an
	 * {@link #invalidate} that happens meanwhile win over the completion.
	 * @return the mark (null from a cache that keeps nothing)
	 */
	Mark mark();

	/**
	 * Keeps a completion the store confirmed.
	 * @param mark taken by {@link #mark()} before the completion was written
	 * @param key the key
	 * @param stored the result bytes as they were given to the store
	 * @param fingerprint the fingerprint the claim was made with, or null
	 * @param retention the retention the completion was written with
	 */
	void completed(Mark mark, IdempotencyKey key, byte[] stored, byte[] fingerprint, Duration retention);

	/**
	 * Removes a key, and keeps it out when a completion marked before now is reported later.
	 * @param key the key
	 */
	void invalidate(IdempotencyKey key);

	/**
	 * How many entries are kept (an estimate).
	 * @return the count
	 */
	long size();

	/**
	 * A point in the cache's time and eviction history, see {@link NearCache#mark()}.
	 *
	 * @param nanos the cache's clock when taken
	 * @param invalidations how many invalidations had happened by then
	 */
	record Mark(long nanos, long invalidations) {
	}

}
