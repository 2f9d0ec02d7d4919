package io.idempotent.observation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.AcquireResult;

/**
 * Logs at INFO, at most once per interval and operation, how many duplicates were skipped, so that a topic
 * replayed from an old offset shows in the logs without a line per message (those stay at DEBUG). The summary
 * is written by the first duplicate after the interval has passed, so a window that no later duplicate closes is
 * not logged (the meters still count it).
 */
public final class DuplicateSummaryLogger implements IdempotencyObserver {

	private static final Logger logger = LoggerFactory.getLogger(DuplicateSummaryLogger.class);

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final Map<String, Window> windows = new ConcurrentHashMap<>();

	/**
	 * Creates the logger.
	 * @param interval the shortest time between two summaries of one operation; zero or negative logs none
	 */
	public DuplicateSummaryLogger(Duration interval) {
		this(interval, System::nanoTime);
	}

	/**
	 * Creates the logger on a clock (for tests).
	 * @param interval the shortest time between two summaries of one operation
	 * @param nanoClock a monotonic clock in nanoseconds
	 */
	public DuplicateSummaryLogger(Duration interval, LongSupplier nanoClock) {
		this.intervalNanos = interval.toNanos();
		this.nanoClock = nanoClock;
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
		if (this.intervalNanos <= 0) {
			return;
		}
		Window window = window(operation);
		(state == AcquireResult.Status.COMPLETED ? window.completed : window.inProgress).increment();
		window.maybeReport(operation.name());
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation) {
		if (this.intervalNanos <= 0) {
			return;
		}
		Window window = window(operation);
		window.mismatched.increment();
		window.maybeReport(operation.name());
	}

	private Window window(IdempotentOperation operation) {
		Window window = this.windows.get(operation.name());
		return (window != null) ? window : this.windows.computeIfAbsent(operation.name(), (name) -> new Window());
	}

	private final class Window {

		private final LongAdder completed = new LongAdder();

		private final LongAdder inProgress = new LongAdder();

		private final LongAdder mismatched = new LongAdder();

		private final AtomicLong start = new AtomicLong(DuplicateSummaryLogger.this.nanoClock.getAsLong());

		void maybeReport(String name) {
			long now = DuplicateSummaryLogger.this.nanoClock.getAsLong();
			long started = this.start.get();
			if (now - started < DuplicateSummaryLogger.this.intervalNanos || !this.start.compareAndSet(started, now)) {
				return;
			}
			long completed = this.completed.sumThenReset();
			long inProgress = this.inProgress.sumThenReset();
			long mismatched = this.mismatched.sumThenReset();
			if (logger.isInfoEnabled()) {
				logger.info("{}: {} duplicates skipped in the last {} ({} of completed calls, {} of running calls, "
						+ "{} with a different payload)", name, completed + inProgress + mismatched,
						describe(Duration.ofNanos(now - started)), completed, inProgress, mismatched);
			}
		}

	}

	private static String describe(Duration elapsed) {
		long seconds = elapsed.toSeconds();
		if (seconds >= 60 && seconds < 120) {
			return "minute";
		}
		return (seconds >= 120) ? (seconds / 60) + " minutes" : seconds + " s";
	}

}
