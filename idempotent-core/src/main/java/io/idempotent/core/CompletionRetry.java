package io.idempotent.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.RecordState;

/**
 * Retries, in the background, the completion of calls that succeeded while the store could not record them.
 * The key stays held meanwhile (its keep-alive keeps running), so duplicates are refused as in progress and
 * redelivered instead of running the work a second time. Back-off starts at {@value #FIRST_DELAY_MILLIS} ms
 * and doubles up to {@value #MAX_DELAY_MILLIS} ms; after the configured limit the completion is given up:
 * logged at ERROR, counted, and the claim left to expire with its lease.
 */
final class CompletionRetry implements AutoCloseable {

	static final long FIRST_DELAY_MILLIS = 100;

	static final long MAX_DELAY_MILLIS = 5000;

	private static final Logger logger = LoggerFactory.getLogger(CompletionRetry.class);

	private final Duration limit;

	private volatile ScheduledExecutorService scheduler;

	CompletionRetry(Duration limit) {
		this.limit = limit;
	}

	void start(ClaimedAttempt claim, byte[] result) {
		schedule(new Pending(claim, result, System.nanoTime()), FIRST_DELAY_MILLIS);
	}

	private void schedule(Pending pending, long delayMillis) {
		try {
			scheduler().schedule(() -> attempt(pending, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			giveUp(pending, "the engine is shutting down");
		}
	}

	private void attempt(Pending pending, long lastDelay) {
		ClaimedAttempt claim = pending.claim;
		try {
			if (claim.store().complete(claim.key(), claim.token(), pending.result, claim.operation().settings().retention())) {
				logger.info("Completion of a call of '{}' recorded after retrying", claim.operation().name());
				claim.finished();
			}
			else if (claim.heldThroughout() && alreadyCompleted(claim)) {
				// an earlier attempt reached the store although its answer was lost; had the claim lapsed, the
				// COMPLETED record could be a successor's (the work ran twice), which must not pass in silence
				logger.info("Completion of a call of '{}' had been recorded by an earlier attempt",
						claim.operation().name());
				claim.finished();
			}
			else {
				claim.fencedOut("complete");
			}
		}
		catch (Throwable ex) {
			// an Error too: a scheduled task that dies with it would leave the claim kept alive until restart
			if (System.nanoTime() - pending.since >= this.limit.toNanos()) {
				giveUp(pending, ex.toString());
			}
			else {
				logger.warn("Completion of a call of '{}' still fails; retrying", claim.operation().name(), ex);
				schedule(pending, Math.min(lastDelay * 2, MAX_DELAY_MILLIS));
			}
		}
	}

	private static boolean alreadyCompleted(ClaimedAttempt claim) {
		try {
			return claim.store().find(claim.key()).map(IdempotencyRecord::state).orElse(null) == RecordState.COMPLETED;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private void giveUp(Pending pending, String why) {
		ClaimedAttempt claim = pending.claim;
		logger.error("A call of '{}' succeeded but could not be recorded as completed within {} ({}); its claim will "
				+ "expire with its lease and a redelivery may run it again", claim.operation().name(), this.limit, why);
		claim.completionFailed();
	}

	private ScheduledExecutorService scheduler() {
		if (this.scheduler == null) {
			synchronized (this) {
				if (this.scheduler == null) {
					this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
						Thread thread = new Thread(runnable, "idempotent-completion-retry");
						thread.setDaemon(true);
						return thread;
					});
				}
			}
		}
		return this.scheduler;
	}

	@Override
	public void close() {
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	private record Pending(ClaimedAttempt claim, byte[] result, long since) {
	}

}
