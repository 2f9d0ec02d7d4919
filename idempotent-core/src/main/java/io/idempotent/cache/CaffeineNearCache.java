package io.idempotent.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import io.idempotent.core.NearCache;
import io.idempotent.core.TraceLink;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;

/**
 * A {@link NearCache} in a bounded Caffeine cache: at most {@code maximumSize} entries, each holding the
 * {@link AcquireResult.Status#COMPLETED} answer a duplicate gets (result bytes and fingerprint, built once, so a
 * hit allocates nothing). Each entry expires at {@code min(mark + retention, now + ttl)} (Caffeine's variable
 * expiry): never after the record's own retention, counted from before the store wrote it. Results larger than
 * {@code maxResultSize} bytes are not kept (their duplicates go to the store), so the cache holds at most about
 * {@code maximumSize × maxResultSize} bytes of results.
 *
 * <p>With tracing on, a kept result carries the trace id of the call that did the work, as the observed store
 * writes it, so a replay from this cache names the same original trace as a replay from the store.
 */
public final class CaffeineNearCache implements NearCache {

	private final Cache<IdempotencyKey, Entry> entries;

	private final Ticker ticker;

	private final long ttlNanos;

	private final int maxResultSize;

	private final Supplier<String> traceIds;

	private final AtomicLong invalidations = new AtomicLong();

	/**
	 * Creates the cache on the system clock.
	 * @param maximumSize most entries kept (least recently or frequently used ones are dropped beyond it)
	 * @param ttl longest time an entry is kept, whatever the record's retention
	 * @param maxResultSize largest result, in bytes, kept
	 * @param traceIds the current trace id (null when there is none); null when tracing is off
	 */
	public CaffeineNearCache(long maximumSize, Duration ttl, int maxResultSize, Supplier<String> traceIds) {
		this(maximumSize, ttl, maxResultSize, traceIds, Ticker.systemTicker());
	}

	/**
	 * Creates the cache on a given clock.
	 * @param maximumSize most entries kept
	 * @param ttl longest time an entry is kept
	 * @param maxResultSize largest result, in bytes, kept
	 * @param traceIds the current trace id, or null when tracing is off
	 * @param ticker the clock, in nanoseconds
	 */
	public CaffeineNearCache(long maximumSize, Duration ttl, int maxResultSize, Supplier<String> traceIds,
			Ticker ticker) {
		if (maximumSize < 1) {
			throw new IllegalArgumentException("maximumSize must be at least 1, was " + maximumSize);
		}
		if (ttl == null || ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("ttl must be positive, was " + ttl);
		}
		this.ticker = ticker;
		this.ttlNanos = saturatedNanos(ttl);
		this.maxResultSize = Math.max(0, maxResultSize);
		this.traceIds = traceIds;
		this.entries = Caffeine.newBuilder()
			.maximumSize(maximumSize)
			.expireAfter(new UntilExpiry())
			.ticker(ticker)
			.build();
	}

	@Override
	public AcquireResult find(IdempotencyKey key) {
		Entry entry = this.entries.getIfPresent(key);
		return (entry != null) ? entry.answer : null;
	}

	@Override
	public Mark mark() {
		return new Mark(this.ticker.read(), this.invalidations.get());
	}

	@Override
	public void completed(Mark mark, IdempotencyKey key, byte[] stored, byte[] fingerprint, Duration retention) {
		if (mark == null || stored == null || stored.length > this.maxResultSize) {
			return;
		}
		long now = this.ticker.read();
		// what is left of the retention counted from the mark, taken before the store wrote the record
		long remaining = Math.min(saturatedNanos(retention) - (now - mark.nanos()), this.ttlNanos);
		if (remaining <= 0 || mark.invalidations() != this.invalidations.get()) {
			return;
		}
		long expiresAt = now + remaining;
		byte[] kept = (this.traceIds != null) ? TraceLink.wrap(this.traceIds.get(), TraceLink.unwrap(stored)) : stored;
		// copies, as the stores keep theirs: the caller may reuse its arrays once the completion returned
		kept = (kept == stored) ? stored.clone() : kept;
		byte[] print = (fingerprint != null) ? fingerprint.clone() : null;
		this.entries.put(key, new Entry(AcquireResult.completed(kept, print), expiresAt));
		if (mark.invalidations() != this.invalidations.get()) {
			// an invalidation ran while this was put: it may have removed the key before the put
			this.entries.invalidate(key);
		}
	}

	@Override
	public void invalidate(IdempotencyKey key) {
		this.invalidations.incrementAndGet();
		this.entries.invalidate(key);
	}

	@Override
	public long size() {
		return this.entries.estimatedSize();
	}

	/** Removes every entry (tests, or an operator clearing this instance). */
	public void clear() {
		this.invalidations.incrementAndGet();
		this.entries.invalidateAll();
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return Math.min(duration.toNanos(), Long.MAX_VALUE / 4);
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 4;
		}
	}

	/** A kept answer and when it stops being one, by the cache's clock. */
	private record Entry(AcquireResult answer, long expiresAt) {
	}

	/** Each entry lives until its own expiry; reads and replacements do not extend it. */
	private static final class UntilExpiry implements Expiry<IdempotencyKey, Entry> {

		@Override
		public long expireAfterCreate(IdempotencyKey key, Entry entry, long currentTime) {
			return Math.max(0, entry.expiresAt - currentTime);
		}

		@Override
		public long expireAfterUpdate(IdempotencyKey key, Entry entry, long currentTime, long currentDuration) {
			return Math.max(0, entry.expiresAt - currentTime);
		}

		@Override
		public long expireAfterRead(IdempotencyKey key, Entry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
