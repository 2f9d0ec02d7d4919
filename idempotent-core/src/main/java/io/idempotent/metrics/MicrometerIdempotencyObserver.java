package io.idempotent.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.idempotent.core.DuplicateLevel;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.AcquireResult;

/**
 * Counts what the engine decides in Micrometer meters. Tags are bounded: the operation name and source, never
 * the key. Each operation's meters are registered once and then found by its name, so the hot path allocates
 * nothing.
 *
 * <ul>
 * <li>{@code idempotent.duplicates} (counter): duplicates blocked; tags {@code name}, {@code source},
 * {@code state} = {@code completed} | {@code in_progress} | {@code mismatch} (a completed key that came back
 * with a different payload), {@code level} = {@code near} (answered from this instance's near cache, no store
 * call) | {@code store} (answered by the store; always for {@code in_progress}).</li>
 * <li>{@code idempotent.executions} (timer): guarded calls that ran; tags {@code name}, {@code source},
 * {@code outcome} = {@code success} | {@code failure}.</li>
 * <li>{@code idempotent.fenced} (counter): calls that overran their lease and were refused a complete,
 * release or renew; tags {@code name}, {@code source}, {@code transition}.</li>
 * <li>{@code idempotent.unguarded} (counter): calls run without a claim because the store was down and the
 * operation fails open; tags {@code name}, {@code source}.</li>
 * <li>{@code idempotent.completion.failures} (counter): calls that succeeded but whose completion could not be
 * recorded even after retrying; tags {@code name}, {@code source}.</li>
 * </ul>
 */
public final class MicrometerIdempotencyObserver implements IdempotencyObserver {

	/** Name of the duplicates counter. */
	public static final String DUPLICATES = "idempotent.duplicates";

	/** Name of the executions timer. */
	public static final String EXECUTIONS = "idempotent.executions";

	/** Name of the fencing counter. */
	public static final String FENCED = "idempotent.fenced";

	/** Name of the fail-open counter. */
	public static final String UNGUARDED = "idempotent.unguarded";

	/** Name of the counter of completions given up. */
	public static final String COMPLETION_FAILURES = "idempotent.completion.failures";

	private final MeterRegistry registry;

	private final Map<String, OperationMeters> meters = new ConcurrentHashMap<>();

	/**
	 * Creates the observer.
	 * @param registry where the meters live
	 */
	public MicrometerIdempotencyObserver(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
		duplicate(operation, state, DuplicateLevel.STORE);
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state, DuplicateLevel level) {
		OperationMeters meters = meters(operation);
		if (state != AcquireResult.Status.COMPLETED) {
			meters.inProgressDuplicates.increment();
		}
		else {
			((level == DuplicateLevel.NEAR) ? meters.nearCompletedDuplicates : meters.completedDuplicates).increment();
		}
	}

	@Override
	public void executed(IdempotentOperation operation, boolean success, long nanos) {
		OperationMeters meters = meters(operation);
		(success ? meters.successes : meters.failures).record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void fencedOut(IdempotentOperation operation, String transition) {
		counter(FENCED, "Calls that overran their lease and were refused a transition because another caller "
				+ "took the key over", operation).tag("transition", transition).register(this.registry).increment();
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation) {
		payloadMismatch(operation, DuplicateLevel.STORE);
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation, DuplicateLevel level) {
		OperationMeters meters = meters(operation);
		((level == DuplicateLevel.NEAR) ? meters.nearMismatchedDuplicates : meters.mismatchedDuplicates).increment();
	}

	@Override
	public void completionFailed(IdempotentOperation operation) {
		counter(COMPLETION_FAILURES, "Calls that succeeded but could not be recorded as completed, even after "
				+ "retrying; they may run again", operation).register(this.registry).increment();
	}

	@Override
	public void failedOpen(IdempotentOperation operation) {
		meters(operation).unguarded.increment();
	}

	private OperationMeters meters(IdempotentOperation operation) {
		OperationMeters found = this.meters.get(operation.name());
		if (found != null && found.source.equals(operation.source())) {
			return found;
		}
		// operation names are unique in practice; a name reused by another source gets its own entry
		String key = (found == null) ? operation.name() : operation.name() + '\u0000' + operation.source();
		return this.meters.computeIfAbsent(key, (k) -> new OperationMeters(operation));
	}

	private Counter.Builder counter(String name, String description, IdempotentOperation operation) {
		return Counter.builder(name)
			.description(description)
			.tag("name", operation.name())
			.tag("source", operation.source());
	}

	private Counter duplicates(IdempotentOperation operation, String state, DuplicateLevel level) {
		return counter(DUPLICATES, "Duplicate calls blocked without running the guarded method", operation)
			.tag("state", state)
			.tag("level", level.tagValue())
			.register(this.registry);
	}

	private Timer timer(IdempotentOperation operation, String outcome) {
		return Timer.builder(EXECUTIONS)
			.description("Guarded calls that claimed their key and ran")
			.tag("name", operation.name())
			.tag("source", operation.source())
			.tag("outcome", outcome)
			.register(this.registry);
	}

	private final class OperationMeters {

		private final String source;

		private final Counter completedDuplicates;

		private final Counter inProgressDuplicates;

		private final Counter mismatchedDuplicates;

		private final Counter nearCompletedDuplicates;

		private final Counter nearMismatchedDuplicates;

		private final Timer successes;

		private final Timer failures;

		private final Counter unguarded;

		OperationMeters(IdempotentOperation operation) {
			this.source = operation.source();
			this.completedDuplicates = duplicates(operation, "completed", DuplicateLevel.STORE);
			this.inProgressDuplicates = duplicates(operation, "in_progress", DuplicateLevel.STORE);
			this.mismatchedDuplicates = duplicates(operation, "mismatch", DuplicateLevel.STORE);
			this.nearCompletedDuplicates = duplicates(operation, "completed", DuplicateLevel.NEAR);
			this.nearMismatchedDuplicates = duplicates(operation, "mismatch", DuplicateLevel.NEAR);
			this.successes = timer(operation, "success");
			this.failures = timer(operation, "failure");
			this.unguarded = counter(UNGUARDED,
					"Calls run without a claim because the store failed and the operation fails open", operation)
				.register(MicrometerIdempotencyObserver.this.registry);
		}

	}

}
