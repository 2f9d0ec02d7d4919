package io.idempotent.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.RecordState;
import io.idempotent.store.IdempotencyKey;

/**
 * Renews the leases of running calls, so a slow but healthy call is not mistaken for a crashed one.
 *
 * <p>One daemon thread checks the running claims every {@value #TICK_MILLIS} ms and hands each renewal that is
 * due (a third of the lease after the last one) to a pool of renewal threads, so renewals never wait for one
 * another: a renewal that hangs holds one pool thread, not the others' leases. A renewal still unanswered after
 * a third of the lease is abandoned and a fresh one is sent on another thread.
 *
 * <p>Each claim knows until when its lease is confirmed (the start of its last successful renewal plus the
 * lease). Once that time has passed, or a renewal is refused because the key was taken over, the claim is
 * <em>lost</em>: {@link Handle#isOwned()} turns false, it is logged at WARN and counted, and the running code
 * can see it through {@link IdempotencyContext}. Leases shorter than about {@code 3 × TICK} cannot be kept alive
 * reliably.
 */
public final class LeaseKeepAlive implements AutoCloseable {

	/** How often running claims are checked. */
	public static final long TICK_MILLIS = 100;

	private static final int MAX_RENEWAL_THREADS = 64;

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeepAlive.class);

	private final IdempotencyStore store;

	private final IdempotencyObserver observer;

	private final Set<Renewal> renewals = ConcurrentHashMap.newKeySet();

	private volatile ScheduledExecutorService ticker;

	private volatile ThreadPoolExecutor renewers;

	private volatile boolean closed;

	/**
	 * Creates a keep-alive for claims in the given store.
	 * @param store the store holding the claims
	 * @param observer hears claims that were lost
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
		Renewal renewal = new Renewal(operation, key, token);
		this.renewals.add(renewal);
		return renewal;
	}

	int tracked() {
		return this.renewals.size();
	}

	private void ensureStarted() {
		if (this.ticker == null) {
			synchronized (this) {
				if (this.ticker == null && !this.closed) {
					this.renewers = new ThreadPoolExecutor(0, MAX_RENEWAL_THREADS, 30, TimeUnit.SECONDS,
							new SynchronousQueue<>(), daemon("idempotent-renew-"));
					ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
							daemon("idempotent-keep-alive-"));
					executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
					this.ticker = executor;
				}
			}
		}
	}

	private static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private void tick() {
		long now = System.nanoTime();
		for (Renewal renewal : this.renewals) {
			try {
				renewal.check(now);
			}
			catch (RuntimeException ex) {
				logger.warn("Keep-alive check of a call of '{}' failed", renewal.operation.name(), ex);
			}
		}
	}

	/** Stops renewing; running claims then expire with their leases. */
	@Override
	public void close() {
		this.closed = true;
		ScheduledExecutorService executor = this.ticker;
		if (executor != null) {
			executor.shutdownNow();
			this.renewers.shutdownNow();
		}
		this.renewals.clear();
	}

	/** The renewal of one claim. */
	public interface Handle extends AutoCloseable {

		/** Stops renewing; idempotent. */
		@Override
		void close();

		/**
		 * Whether the claim is still owned: its lease is confirmed until now and was never refused.
		 * @return true while owned
		 */
		boolean isOwned();

		/**
		 * Tells the keep-alive that the call has returned and its completion is being retried: a renewal then
		 * refused while the lease was still confirmed, on a record found COMPLETED, means an earlier completion
		 * reached the store though its answer was lost (nobody else could have claimed the key meanwhile), so
		 * renewing stops without reporting a lost claim.
		 */
		default void completionPending() {
		}

		/**
		 * Whether the claim has been held without a gap since it was made, so nobody else can have claimed the
		 * key meanwhile: still owned, or renewing stopped only because this call's own completion was found.
		 * @return true when no takeover was possible
		 */
		default boolean heldThroughout() {
			return isOwned();
		}

	}

	private final class Renewal implements Handle {

		private final IdempotentOperation operation;

		private final IdempotencyKey key;

		private final String token;

		private final long leaseNanos;

		private volatile long confirmedUntil;

		private volatile long nextRenewal;

		private volatile long inFlightSince;

		private volatile boolean inFlight;

		private volatile boolean lost;

		private volatile boolean completionPending;

		private volatile boolean stoppedOnOwnCompletion;

		Renewal(IdempotentOperation operation, IdempotencyKey key, String token) {
			this.operation = operation;
			this.key = key;
			this.token = token;
			this.leaseNanos = operation.settings().lease().toNanos();
			long now = System.nanoTime();
			this.confirmedUntil = now + this.leaseNanos;
			this.nextRenewal = now + this.leaseNanos / 3;
		}

		void check(long now) {
			if (this.lost) {
				return;
			}
			if (now - this.confirmedUntil >= 0) {
				lose("its lease ran out before a renewal succeeded (the store is slow or unreachable)");
				return;
			}
			boolean abandoned = this.inFlight && now - this.inFlightSince >= this.leaseNanos / 3;
			if (abandoned) {
				logger.warn("Renewal of the lease of a running call of '{}' is unanswered after a third of the lease; "
						+ "sending another", this.operation.name());
			}
			if ((!this.inFlight || abandoned) && now - this.nextRenewal >= 0) {
				send(now);
			}
		}

		private void send(long now) {
			this.inFlight = true;
			this.inFlightSince = now;
			this.nextRenewal = now + this.leaseNanos / 3;
			try {
				LeaseKeepAlive.this.renewers.execute(() -> renew(now));
			}
			catch (RejectedExecutionException ex) {
				this.inFlight = false;
				this.nextRenewal = now;
			}
		}

		private void renew(long sentAt) {
			Duration lease = this.operation.settings().lease();
			try {
				boolean renewed = LeaseKeepAlive.this.store.renew(this.key, this.token, lease);
				if (renewed) {
					if (sentAt + this.leaseNanos - this.confirmedUntil > 0) {
						this.confirmedUntil = sentAt + this.leaseNanos;
					}
				}
				else if (LeaseKeepAlive.this.renewals.contains(this)) {
					if (this.completionPending && System.nanoTime() - this.confirmedUntil < 0 && completedInStore()) {
						logger.debug("A completion of '{}' whose answer was lost had reached the store; renewing stops",
								this.operation.name());
						this.stoppedOnOwnCompletion = true;
						LeaseKeepAlive.this.renewals.remove(this);
					}
					else {
						lose("another caller took the key over");
					}
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Could not renew the lease of a running call of '{}'; retrying", this.operation.name(), ex);
				this.nextRenewal = System.nanoTime();
			}
			finally {
				if (this.inFlightSince == sentAt) {
					this.inFlight = false;
				}
			}
		}

		private boolean completedInStore() {
			try {
				return LeaseKeepAlive.this.store.find(this.key)
					.map((record) -> record.state() == RecordState.COMPLETED)
					.orElse(false);
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		@Override
		public boolean heldThroughout() {
			return this.stoppedOnOwnCompletion || isOwned();
		}

		@Override
		public void completionPending() {
			this.completionPending = true;
		}

		private void lose(String why) {
			if (this.lost) {
				return;
			}
			this.lost = true;
			LeaseKeepAlive.this.renewals.remove(this);
			logger.warn("A running call of '{}' lost its claim: {}; another caller may run it", this.operation.name(),
					why);
			LeaseKeepAlive.this.observer.fencedOut(this.operation, "renew");
		}

		@Override
		public boolean isOwned() {
			return !this.lost && System.nanoTime() - this.confirmedUntil < 0;
		}

		@Override
		public void close() {
			LeaseKeepAlive.this.renewals.remove(this);
		}

	}

}
