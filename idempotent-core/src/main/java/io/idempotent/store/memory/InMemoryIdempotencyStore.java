package io.idempotent.store.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.FencingTokens;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.RecordState;

/**
 * A store in this JVM's memory, on a {@link ConcurrentHashMap}. Each transition is one atomic {@code compute}
 * on the entry, so it is race-free within one JVM; it is <em>not</em> shared between instances, so it suits
 * tests and single-instance applications only.
 *
 * <p>Expiry is judged by the JVM's monotonic clock: an expired record reads as absent at once, and expired
 * entries are swept out at most ten times a second by whichever caller notices the sweep is due (a conditional
 * remove, so a record re-claimed meanwhile is kept). Chosen over a cache library because per-entry expiry
 * bookkeeping cost more than the rest of the guard together.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

	private static final long SWEEP_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

	private final LongSupplier clock;

	private final ConcurrentHashMap<IdempotencyKey, Entry> entries = new ConcurrentHashMap<>();

	private final AtomicLong nextSweep;

	private final AtomicLong fences = new AtomicLong();

	/** Creates a store on {@link System#nanoTime()}. */
	public InMemoryIdempotencyStore() {
		this(System::nanoTime);
	}

	/**
	 * Creates a store on the given clock (for tests that move time).
	 * @param clock the time source, in nanoseconds, monotonic
	 */
	public InMemoryIdempotencyStore(LongSupplier clock) {
		this.clock = clock;
		this.nextSweep = new AtomicLong(clock.getAsLong() + SWEEP_INTERVAL_NANOS);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return tryAcquire(key, lease, null);
	}

	/**
	 * {@inheritDoc}
	 * <p>The fence comes from one counter for the whole store, so it grows with every claim of every key.
	 */
	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		byte[] print = (fingerprint != null) ? fingerprint.clone() : null;
		AcquireResult[] outcome = new AcquireResult[1];
		long now = this.clock.getAsLong();
		this.entries.compute(key, (k, existing) -> {
			if (existing == null || existing.expired(now)) {
				String token = FencingTokens.next();
				outcome[0] = AcquireResult.acquired(token, this.fences.incrementAndGet());
				return new Entry(RecordState.PROCESSING, token, null, now + lease.toNanos(), print);
			}
			outcome[0] = (existing.state == RecordState.COMPLETED)
					? AcquireResult.completed(existing.result, existing.fingerprint)
					: AcquireResult.inProgress(existing.fingerprint);
			return existing;
		});
		sweepIfDue(now);
		return outcome[0];
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		long now = this.clock.getAsLong();
		byte[] copy = result.clone();
		return transition(key, token, now,
				(existing) -> new Entry(RecordState.COMPLETED, token, copy, now + retention.toNanos(), existing.fingerprint));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return transition(key, token, this.clock.getAsLong(), (existing) -> null);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		long now = this.clock.getAsLong();
		return transition(key, token, now,
				(existing) -> new Entry(RecordState.PROCESSING, token, null, now + lease.toNanos(), existing.fingerprint));
	}

	private boolean transition(IdempotencyKey key, String token, long now,
			java.util.function.UnaryOperator<Entry> replacement) {
		boolean[] done = new boolean[1];
		this.entries.computeIfPresent(key, (k, existing) -> {
			if (existing.expired(now)) {
				return null;
			}
			if (!existing.ownedBy(token)) {
				return existing;
			}
			done[0] = true;
			return replacement.apply(existing);
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
		int size = (entry.result != null) ? entry.result.length : 0;
		return Optional.of(new IdempotencyRecord(entry.state, expiresAt, size));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		Entry removed = this.entries.remove(key);
		return removed != null && !removed.expired(this.clock.getAsLong());
	}

	@Override
	public String type() {
		return "memory";
	}

	int size() {
		return this.entries.size();
	}

	private void sweepIfDue(long now) {
		long due = this.nextSweep.get();
		if (now - due >= 0 && this.nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
			// removes an entry only if it is still the expired one (ConcurrentHashMap's conditional remove)
			this.entries.values().removeIf((entry) -> entry.expired(now));
		}
	}

	private static final class Entry {

		private final RecordState state;

		private final String token;

		private final byte[] result;

		private final long expiresAtNanos;

		private final byte[] fingerprint;

		Entry(RecordState state, String token, byte[] result, long expiresAtNanos, byte[] fingerprint) {
			this.fingerprint = fingerprint;
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

}
