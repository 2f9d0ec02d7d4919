package io.idempotent.core;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.IdempotencyKey;

/**
 * A real store with scripted trouble on the calls a test is not about: completions that fail (before or after
 * reaching the store), renewals of chosen keys that hang, a smaller result limit. A fake only for the fault.
 */
final class ScriptedStore implements IdempotencyStore {

	private final IdempotencyStore delegate;

	final AtomicInteger failCompletions = new AtomicInteger();

	final AtomicInteger failAfterCompleting = new AtomicInteger();

	final AtomicInteger completeCalls = new AtomicInteger();

	final AtomicInteger errorOnComplete = new AtomicInteger();

	final AtomicInteger errorOnRelease = new AtomicInteger();

	final Set<String> hangingRenewals = ConcurrentHashMap.newKeySet();

	final CountDownLatch releaseHangingRenewals = new CountDownLatch(1);

	volatile int maxResultSize = Integer.MAX_VALUE;

	ScriptedStore(IdempotencyStore delegate) {
		this.delegate = delegate;
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return this.delegate.tryAcquire(key, lease);
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		return this.delegate.tryAcquire(key, lease, fingerprint);
	}

	@Override
	public int maxResultSize() {
		return this.maxResultSize;
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		this.completeCalls.incrementAndGet();
		if (this.failCompletions.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			throw new IdempotencyStoreException("Command timed out after 2 second(s)");
		}
		if (this.errorOnComplete.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			throw new NoClassDefFoundError("io/lettuce/core/output/StatusOutput (a client broken mid-flight)");
		}
		boolean done = this.delegate.complete(key, token, result, retention);
		if (this.failAfterCompleting.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			throw new IdempotencyStoreException("Command timed out after 2 second(s) (the write reached the store)");
		}
		return done;
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		if (this.errorOnRelease.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			throw new NoClassDefFoundError("io/lettuce/core/output/StatusOutput (a client broken mid-flight)");
		}
		return this.delegate.release(key, token);
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		if (this.hangingRenewals.contains(key.value())) {
			try {
				// like a Lettuce command stuck for its 60 s default timeout
				this.releaseHangingRenewals.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			throw new IdempotencyStoreException("Command timed out after 1 minute(s)");
		}
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
