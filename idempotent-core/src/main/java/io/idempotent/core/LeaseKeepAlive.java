package io.idempotent.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.IdempotencyStore;

/**
 * Renews the leases of running calls, so a slow but healthy call is not mistaken for a crashed one. One daemon
 * thread, started on first use, checks the running claims every {@value #TICK_MILLIS} ms and renews each once
 * a third of its lease has passed. Tracking a claim is a set insert; nothing is scheduled per call.
 *
 * <p>A renewal the store refuses means the claim was taken over: tracking stops and the observer hears it.
 * A renewal that fails on a store error is retried on the next tick. Leases shorter than about
 * {@code 3 × TICK} cannot be kept alive reliably.
 */
public final class LeaseKeepAlive implements AutoCloseable {

	/** How often running claims are checked. */
	public static final long TICK_MILLIS = 100;

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeepAlive.class);

	private final IdempotencyStore store;

	private final IdempotencyObserver observer;

	private final Set<Claim> claims = ConcurrentHashMap.newKeySet();

	private volatile ScheduledExecutorService scheduler;

	private volatile boolean closed;

	/**
	 * Creates a keep-alive for claims in the given store.
	 * @param store the store holding the claims
	 * @param observer hears claims that were taken over
	 */
	public LeaseKeepAlive(IdempotencyStore store, IdempotencyObserver observer) {
		this.store = store;
		this.observer = observer;
	}

	/**
	 * Starts renewing a claim until the returned handle is closed.
	 * @param operation the operation
	 * @param key the claimed key
	 * @param token the owner's token
	 * @return the handle to close when the call ends
	 */
	public Handle track(IdempotentOperation operation, IdempotencyKey key, String token) {
		ensureStarted();
		Claim claim = new Claim(operation, key, token);
		this.claims.add(claim);
		return claim;
	}

	int tracked() {
		return this.claims.size();
	}

	private void ensureStarted() {
		if (this.scheduler == null) {
			synchronized (this) {
				if (this.scheduler == null && !this.closed) {
					ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
						Thread thread = new Thread(runnable, "idempotent-keep-alive");
						thread.setDaemon(true);
						return thread;
					});
					executor.scheduleWithFixedDelay(this::renewDue, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
					this.scheduler = executor;
				}
			}
		}
	}

	private void renewDue() {
		long now = System.nanoTime();
		for (Claim claim : this.claims) {
			if (now - claim.nextRenewal >= 0) {
				renew(claim, now);
			}
		}
	}

	private void renew(Claim claim, long now) {
		Duration lease = claim.operation.settings().lease();
		try {
			boolean renewed = this.store.renew(claim.key, claim.token, lease);
			if (renewed) {
				claim.nextRenewal = now + lease.toNanos() / 3;
			}
			else if (this.claims.remove(claim)) {
				logger.warn("Lease of a running call of '{}' was taken over by another caller; it can no longer complete",
						claim.operation.name());
				this.observer.fencedOut(claim.operation, "renew");
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not renew the lease of a running call of '{}'; retrying", claim.operation.name(), ex);
		}
	}

	/** Stops renewing; running claims then expire with their leases. */
	@Override
	public void close() {
		this.closed = true;
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null) {
			executor.shutdownNow();
		}
		this.claims.clear();
	}

	/** Stops the renewal of one claim. */
	public interface Handle extends AutoCloseable {

		/** Stops renewing; idempotent. */
		@Override
		void close();

	}

	private final class Claim implements Handle {

		private final IdempotentOperation operation;

		private final IdempotencyKey key;

		private final String token;

		private volatile long nextRenewal;

		Claim(IdempotentOperation operation, IdempotencyKey key, String token) {
			this.operation = operation;
			this.key = key;
			this.token = token;
			this.nextRenewal = System.nanoTime() + operation.settings().lease().toNanos() / 3;
		}

		@Override
		public void close() {
			LeaseKeepAlive.this.claims.remove(this);
		}

	}

}
