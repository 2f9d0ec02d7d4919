package io.idempotent.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;

/**
 * A real store that counts the calls made to it, and can fail the next completions before they reach it (the
 * one scripted fault: a store write that fails). Everything else is the real store's answer.
 */
public final class CountingStore implements IdempotencyStore {

	private final IdempotencyStore delegate;

	/** Claims (tryAcquire) that reached the store. */
	public final AtomicInteger acquires = new AtomicInteger();

	/** Completions that reached (or were failed before) the store. */
	public final AtomicInteger completes = new AtomicInteger();

	/** How many of the next completions fail before reaching the store. */
	public final AtomicInteger failCompletions = new AtomicInteger();

	/**
	 * Wraps a store.
	 * @param delegate the real store
	 */
	public CountingStore(IdempotencyStore delegate) {
		this.delegate = delegate;
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		this.acquires.incrementAndGet();
		return this.delegate.tryAcquire(key, lease);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		this.acquires.incrementAndGet();
		return this.delegate.tryAcquire(key, lease, fingerprint);
	}

	@Override
	public int maxResultSize() {
		return this.delegate.maxResultSize();
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		this.completes.incrementAndGet();
		if (this.failCompletions.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			throw new IdempotencyStoreException("scripted: completion failed before reaching the store", null);
		}
		return this.delegate.complete(key, token, result, retention);
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		return this.delegate.release(key, token);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return this.delegate.renew(key, token, lease);
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		return this.delegate.find(key);
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return this.delegate.evict(key);
	}

	@Override
	public String type() {
		return this.delegate.type();
	}

}
