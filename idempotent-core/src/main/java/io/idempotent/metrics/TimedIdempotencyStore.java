package io.idempotent.metrics;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.ForwardingIdempotencyStore;
import io.idempotent.store.IdempotencyStore;

/**
 * Times every call to a store in {@code idempotent.store.operations}, tagged {@code store} (its type),
 * {@code operation} ({@code acquire}, {@code complete}, {@code release}, {@code renew}, {@code find},
 * {@code evict}) and {@code outcome} ({@code success} | {@code error}). Delegates everything else unchanged,
 * the fingerprint of a claim and the store's {@link #maxResultSize()} included.
 */
public final class TimedIdempotencyStore implements ForwardingIdempotencyStore {

	/** Name of the store latency timer. */
	public static final String OPERATIONS = "idempotent.store.operations";

	private static final String[] OPERATION_NAMES = { "acquire", "complete", "release", "renew", "find", "evict" };

	private final IdempotencyStore delegate;

	/** Whether the delegate chain completes keys in the caller's transaction (else passed through, unrecorded). */
	private final boolean completesInCurrentTransaction;

	private final Timer[] successes = new Timer[OPERATION_NAMES.length];

	private final Timer[] errors = new Timer[OPERATION_NAMES.length];

	/**
	 * Wraps a store.
	 * @param delegate the store
	 * @param registry where the timers live
	 */
	public TimedIdempotencyStore(IdempotencyStore delegate, MeterRegistry registry) {
		this.delegate = delegate;
		this.completesInCurrentTransaction = ForwardingIdempotencyStore.completesInCurrentTransaction(delegate);
		for (int i = 0; i < OPERATION_NAMES.length; i++) {
			this.successes[i] = timer(registry, OPERATION_NAMES[i], "success");
			this.errors[i] = timer(registry, OPERATION_NAMES[i], "error");
		}
	}

	private Timer timer(MeterRegistry registry, String operation, String outcome) {
		return Timer.builder(OPERATIONS)
			.description("Latency of idempotency store calls")
			.tag("store", this.delegate.type())
			.tag("operation", operation)
			.tag("outcome", outcome)
			.register(registry);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return timed(0, () -> this.delegate.tryAcquire(key, lease));
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		return timed(0, () -> this.delegate.tryAcquire(key, lease, fingerprint));
	}

	@Override
	public int maxResultSize() {
		return this.delegate.maxResultSize();
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		return timed(1, () -> this.delegate.complete(key, token, result, retention));
	}

	@Override
	public boolean completeInCurrentTransaction(IdempotencyKey key, String token, byte[] result,
			Duration retention) {
		if (!this.completesInCurrentTransaction) {
			// a decorator below does not forward it: no store call happens here (it throws), nothing is timed
			return this.delegate.completeInCurrentTransaction(key, token, result, retention);
		}
		return timed(1, () -> this.delegate.completeInCurrentTransaction(key, token, result, retention));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return timed(2, () -> this.delegate.release(key, token));
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return timed(3, () -> this.delegate.renew(key, token, lease));
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		return timed(4, () -> this.delegate.find(key));
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return timed(5, () -> this.delegate.evict(key));
	}

	@Override
	public String type() {
		return this.delegate.type();
	}

	/**
	 * The store this one times.
	 * @return the delegate
	 */
	@Override
	public IdempotencyStore delegate() {
		return this.delegate;
	}

	private <T> T timed(int operation, Supplier<T> call) {
		long start = System.nanoTime();
		try {
			T result = call.get();
			this.successes[operation].record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
			return result;
		}
		catch (RuntimeException ex) {
			this.errors[operation].record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
			throw ex;
		}
	}

}
