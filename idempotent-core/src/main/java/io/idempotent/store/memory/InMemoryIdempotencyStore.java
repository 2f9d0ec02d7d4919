package io.idempotent.store.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.FencingTokens;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.RecordState;

/**
 * A store in this JVM's memory, on a {@link ConcurrentHashMap}. Each transition is one atomic {@code compute}
 * on the entry, so it is race-free within one JVM; it is <em>not</em> shared between instances, so it suits
 * tests and single-instance applications only.
 *
 * <p><b>Expiry</b> is judged by the JVM's monotonic clock: an expired record reads as absent at once. Expired
 * entries are removed by a background sweeper ({@link MemorySweeper}, one daemon thread shared by every
 * in-memory store) every {@value #SWEEP_INTERVAL_MILLIS} ms, never on a caller's thread.
 *
 * <p><b>Bound.</b> At most {@code maximumSize} entries (live, or expired and not yet swept). A claim of a new
 * key beyond that fails with {@link IdempotencyStoreException} ("store full", handled by the failure mode like
 * any store outage) and asks the sweeper to run now: a live record is never dropped to make room, because a
 * dropped COMPLETED record would let a duplicate run again.
 *
 * <p><b>Fence.</b> One counter per store, seeded from the wall clock in microseconds and incremented by every
 * claim and takeover: strictly greater than every earlier claim's of any key, for the life of the store.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore, AutoCloseable {

	/** Entries a store created without a bound holds at most. */
	public static final int DEFAULT_MAXIMUM_SIZE = 1_000_000;

	/** Largest result a store created without a limit accepts. */
	public static final int DEFAULT_MAX_RESULT_SIZE = 2 * 1024 * 1024;

	/** Largest fingerprint stored with a claim. */
	public static final int MAX_FINGERPRINT_BYTES = 64;

	static final long SWEEP_INTERVAL_MILLIS = 100;

	private final LongSupplier clock;

	private final int maximumSize;

	private final int maxResultSize;

	private final ConcurrentHashMap<IdempotencyKey, Entry> entries = new ConcurrentHashMap<>();

	private final AtomicInteger size = new AtomicInteger();

	private final AtomicLong fences = new AtomicLong(System.currentTimeMillis() * 1000);

	private final MemorySweeper.Registration sweeper;

	/** Creates a store on {@link System#nanoTime()} with the default bound and result limit. */
	public InMemoryIdempotencyStore() {
		this(DEFAULT_MAXIMUM_SIZE, DEFAULT_MAX_RESULT_SIZE);
	}

	/**
	 * Creates a store on {@link System#nanoTime()}.
	 * @param maximumSize the most entries held
	 * @param maxResultSize the largest result, in bytes, accepted
	 */
	public InMemoryIdempotencyStore(int maximumSize, int maxResultSize) {
		this(System::nanoTime, maximumSize, maxResultSize, true);
	}

	/**
	 * Creates a store on the given clock (for tests that move time), without a background sweeper: call
	 * {@link #sweepExpired()} to sweep.
	 * @param clock the time source, in nanoseconds, monotonic
	 */
	public InMemoryIdempotencyStore(LongSupplier clock) {
		this(clock, DEFAULT_MAXIMUM_SIZE, DEFAULT_MAX_RESULT_SIZE, false);
	}

	InMemoryIdempotencyStore(LongSupplier clock, int maximumSize, int maxResultSize, boolean sweep) {
		if (maximumSize < 1 || maxResultSize < 0) {
			throw new IllegalArgumentException("maximumSize must be positive and maxResultSize not negative");
		}
		this.clock = clock;
		this.maximumSize = maximumSize;
		this.maxResultSize = maxResultSize;
		this.sweeper = sweep ? MemorySweeper.register(this, SWEEP_INTERVAL_MILLIS) : null;
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return tryAcquire(key, lease, null);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		if (fingerprint != null && fingerprint.length > MAX_FINGERPRINT_BYTES) {
			throw new IllegalArgumentException("A fingerprint holds at most " + MAX_FINGERPRINT_BYTES + " bytes, not "
					+ fingerprint.length);
		}
		byte[] print = (fingerprint != null) ? fingerprint.clone() : null;
		AcquireResult[] outcome = new AcquireResult[1];
		long now = this.clock.getAsLong();
		this.entries.compute(key, (k, existing) -> {
			if (existing != null && !existing.expired(now)) {
				outcome[0] = (existing.state == RecordState.COMPLETED)
						? AcquireResult.completed(existing.result, existing.fingerprint)
						: AcquireResult.inProgress(existing.fingerprint);
				return existing;
			}
			if (existing == null) {
				reserveSlot();
			}
			String token = FencingTokens.next();
			long fence = this.fences.incrementAndGet();
			outcome[0] = AcquireResult.acquired(token, fence);
			return new Entry(RecordState.PROCESSING, token, null, print, now + lease.toNanos());
		});
		return outcome[0];
	}

	private void reserveSlot() {
		if (this.size.incrementAndGet() > this.maximumSize) {
			this.size.decrementAndGet();
			if (this.sweeper != null) {
				this.sweeper.sweepSoon();
			}
			throw new IdempotencyStoreException("The in-memory idempotency store is full: it holds its maximum of "
					+ this.maximumSize + " records (idempotent.store.memory.maximum-size)");
		}
	}

	@Override
	public int maxResultSize() {
		return this.maxResultSize;
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (result.length > this.maxResultSize) {
			throw new IdempotencyStoreException("A result of " + result.length + " bytes of '" + key.name()
					+ "' is over the in-memory store's limit of " + this.maxResultSize
					+ " bytes (idempotent.store.max-result-size); check maxResultSize() before completing");
		}
		long now = this.clock.getAsLong();
		byte[] copy = result.clone();
		return transition(key, token, now,
				(existing) -> new Entry(RecordState.COMPLETED, token, copy, existing.fingerprint, now + retention.toNanos()));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return transition(key, token, this.clock.getAsLong(), (existing) -> null);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		long now = this.clock.getAsLong();
		return transition(key, token, now, (existing) -> new Entry(RecordState.PROCESSING, token, null,
				existing.fingerprint, now + lease.toNanos()));
	}

	private boolean transition(IdempotencyKey key, String token, long now,
			java.util.function.UnaryOperator<Entry> replacement) {
		boolean[] done = new boolean[1];
		this.entries.computeIfPresent(key, (k, existing) -> {
			Entry next = existing;
			if (existing.expired(now)) {
				next = null;
			}
			else if (existing.ownedBy(token)) {
				done[0] = true;
				next = replacement.apply(existing);
			}
			if (next == null) {
				this.size.decrementAndGet();
			}
			return next;
		});
		return done[0];
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		Entry entry = this.entries.get(key);
		long now = this.clock.getAsLong();
		if (entry == null || entry.expired(now)) {
			return Optional.empty();
		}
		Instant expiresAt = Instant.now().plusNanos(entry.expiresAtNanos - now);
		int resultSize = (entry.result != null) ? entry.result.length : 0;
		return Optional.of(new IdempotencyRecord(entry.state, expiresAt, resultSize));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		Entry removed = this.entries.remove(key);
		if (removed != null) {
			this.size.decrementAndGet();
		}
		return removed != null && !removed.expired(this.clock.getAsLong());
	}

	@Override
	public String type() {
		return "memory";
	}

	/**
	 * Removes every expired entry now (the background sweeper calls this). Each removal is conditional, so a
	 * record claimed again meanwhile is kept.
	 * @return how many entries were removed
	 */
	public int sweepExpired() {
		long now = this.clock.getAsLong();
		int removed = 0;
		for (var entry : this.entries.entrySet()) {
			if (entry.getValue().expired(now) && this.entries.remove(entry.getKey(), entry.getValue())) {
				this.size.decrementAndGet();
				removed++;
			}
		}
		return removed;
	}

	/**
	 * Entries held, live or expired and not yet swept.
	 * @return the count
	 */
	public int size() {
		return this.size.get();
	}

	/** Stops sweeping this store in the background. */
	@Override
	public void close() {
		if (this.sweeper != null) {
			this.sweeper.cancel();
		}
	}

	private static final class Entry {

		private final RecordState state;

		private final String token;

		private final byte[] result;

		private final byte[] fingerprint;

		private final long expiresAtNanos;

		Entry(RecordState state, String token, byte[] result, byte[] fingerprint, long expiresAtNanos) {
			this.state = state;
			this.token = token;
			this.result = result;
			this.fingerprint = fingerprint;
			this.expiresAtNanos = expiresAtNanos;
		}

		boolean expired(long now) {
			return now - this.expiresAtNanos >= 0;
		}

		boolean ownedBy(String candidate) {
			return this.state == RecordState.PROCESSING && this.token.equals(candidate);
		}

	}

}
