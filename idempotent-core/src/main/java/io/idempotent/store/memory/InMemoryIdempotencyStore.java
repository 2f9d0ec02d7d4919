package io.idempotent.store.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.FencingTokens;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.RecordState;

/**
 * A store in this JVM's memory, on a Caffeine cache with per-entry expiry. Each transition is one atomic
 * {@code compute} on the entry, so it is race-free within one JVM; it is <em>not</em> shared between
 * instances, so it suits tests and single-instance applications only.
 *
 * <p>Expiry is judged by the cache's ticker (the JVM's monotonic clock); expired records read as absent and
 * are evicted by Caffeine.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

	private final Ticker ticker;

	private final ConcurrentMap<IdempotencyKey, Entry> entries;

	/** Creates a store on the system ticker. */
	public InMemoryIdempotencyStore() {
		this(Ticker.systemTicker());
	}

	/**
	 * Creates a store on the given ticker (for tests that move time).
	 * @param ticker the time source, in nanoseconds
	 */
	public InMemoryIdempotencyStore(Ticker ticker) {
		this.ticker = ticker;
		Cache<IdempotencyKey, Entry> cache = Caffeine.newBuilder()
			.ticker(ticker)
			.expireAfter(new EntryExpiry())
			.build();
		this.entries = cache.asMap();
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		String token = FencingTokens.next();
		AcquireResult[] outcome = new AcquireResult[1];
		this.entries.compute(key, (k, existing) -> {
			long now = this.ticker.read();
			if (existing == null || existing.expired(now)) {
				outcome[0] = AcquireResult.acquired(token);
				return new Entry(RecordState.PROCESSING, token, null, now + lease.toNanos());
			}
			outcome[0] = (existing.state == RecordState.COMPLETED) ? AcquireResult.completed(existing.result)
					: AcquireResult.inProgress();
			return existing;
		});
		return outcome[0];
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		boolean[] done = new boolean[1];
		this.entries.computeIfPresent(key, (k, existing) -> {
			if (!existing.ownedBy(token)) {
				return existing;
			}
			done[0] = true;
			return new Entry(RecordState.COMPLETED, token, result.clone(), this.ticker.read() + retention.toNanos());
		});
		return done[0];
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		boolean[] done = new boolean[1];
		this.entries.computeIfPresent(key, (k, existing) -> {
			if (!existing.ownedBy(token)) {
				return existing;
			}
			done[0] = true;
			return null;
		});
		return done[0];
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		boolean[] done = new boolean[1];
		this.entries.computeIfPresent(key, (k, existing) -> {
			if (!existing.ownedBy(token)) {
				return existing;
			}
			done[0] = true;
			return new Entry(RecordState.PROCESSING, token, null, this.ticker.read() + lease.toNanos());
		});
		return done[0];
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		Entry entry = this.entries.get(key);
		long now = this.ticker.read();
		if (entry == null || entry.expired(now)) {
			return Optional.empty();
		}
		Instant expiresAt = Instant.now().plusNanos(entry.expiresAtNanos - now);
		int size = (entry.result != null) ? entry.result.length : 0;
		return Optional.of(new IdempotencyRecord(entry.state, expiresAt, size));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		Entry removed = this.entries.remove(key);
		return removed != null && !removed.expired(this.ticker.read());
	}

	@Override
	public String type() {
		return "memory";
	}

	private static final class Entry {

		private final RecordState state;

		private final String token;

		private final byte[] result;

		private final long expiresAtNanos;

		Entry(RecordState state, String token, byte[] result, long expiresAtNanos) {
			this.state = state;
			this.token = token;
			this.result = result;
			this.expiresAtNanos = expiresAtNanos;
		}

		boolean expired(long now) {
			return now - this.expiresAtNanos >= 0;
		}

		boolean ownedBy(String candidate) {
			return this.state == RecordState.PROCESSING && this.token.equals(candidate);
		}

	}

	private static final class EntryExpiry implements Expiry<IdempotencyKey, Entry> {

		@Override
		public long expireAfterCreate(IdempotencyKey key, Entry entry, long currentTime) {
			return Math.max(0, entry.expiresAtNanos - currentTime);
		}

		@Override
		public long expireAfterUpdate(IdempotencyKey key, Entry entry, long currentTime, long currentDuration) {
			return Math.max(0, entry.expiresAtNanos - currentTime);
		}

		@Override
		public long expireAfterRead(IdempotencyKey key, Entry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
