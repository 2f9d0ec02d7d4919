package io.idempotent.store.memory;

import java.lang.ref.WeakReference;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one daemon thread that sweeps expired entries out of every {@link InMemoryIdempotencyStore}, so no
 * caller ever pays for a sweep. A store is held weakly: one that is no longer used is collected and its task
 * cancels itself.
 */
final class MemorySweeper {

	private static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "idempotent-memory-sweeper");
		thread.setDaemon(true);
		return thread;
	});

	private MemorySweeper() {
	}

	static Registration register(InMemoryIdempotencyStore store, long intervalMillis) {
		Registration registration = new Registration(new WeakReference<>(store));
		registration.task = EXECUTOR.scheduleWithFixedDelay(registration::sweep, intervalMillis, intervalMillis,
				TimeUnit.MILLISECONDS);
		return registration;
	}

	/** One store's periodic sweep. */
	static final class Registration {

		private final WeakReference<InMemoryIdempotencyStore> store;

		private final AtomicBoolean extraSweepQueued = new AtomicBoolean();

		private volatile ScheduledFuture<?> task;

		private Registration(WeakReference<InMemoryIdempotencyStore> store) {
			this.store = store;
		}

		private void sweep() {
			this.extraSweepQueued.set(false);
			InMemoryIdempotencyStore target = this.store.get();
			if (target == null) {
				cancel();
				return;
			}
			target.sweepExpired();
		}

		/** Sweeps as soon as the thread is free (a full store asks for this), at most one extra run queued. */
		void sweepSoon() {
			if (this.extraSweepQueued.compareAndSet(false, true)) {
				EXECUTOR.execute(this::sweep);
			}
		}

		void cancel() {
			ScheduledFuture<?> scheduled = this.task;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
