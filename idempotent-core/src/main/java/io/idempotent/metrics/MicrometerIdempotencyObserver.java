package io.idempotent.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.AcquireResult;

/**
 * Counts what the engine decides in Micrometer meters. Tags are bounded: the operation name and source, never
 * the key. Meters are created once per operation and outcome, then reused.
 *
 * <ul>
 * <li>{@code idempotent.duplicates} (counter): duplicates blocked; tags {@code name}, {@code source},
 * {@code state} = {@code completed} | {@code in_progress}.</li>
 * <li>{@code idempotent.executions} (timer): guarded calls that ran; tags {@code name}, {@code source},
 * {@code outcome} = {@code success} | {@code failure}.</li>
 * <li>{@code idempotent.fenced} (counter): calls that overran their lease and were refused a complete,
 * release or renew; tags {@code name}, {@code source}, {@code transition}.</li>
 * <li>{@code idempotent.unguarded} (counter): calls run without a claim because the store was down and the
 * operation fails open; tags {@code name}, {@code source}.</li>
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

	private final MeterRegistry registry;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	/**
	 * Creates the observer.
	 * @param registry where the meters live
	 */
	public MicrometerIdempotencyObserver(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
		String stateTag = (state == AcquireResult.Status.COMPLETED) ? "completed" : "in_progress";
		counter(DUPLICATES, "Duplicate calls blocked without running the guarded method", operation, "state",
				stateTag).increment();
	}

	@Override
	public void executed(IdempotentOperation operation, boolean success, long nanos) {
		String outcome = success ? "success" : "failure";
		String id = EXECUTIONS + '|' + operation.name() + '|' + operation.source() + '|' + outcome;
		this.timers.computeIfAbsent(id, (k) -> Timer.builder(EXECUTIONS)
			.description("Guarded calls that claimed their key and ran")
			.tag("name", operation.name())
			.tag("source", operation.source())
			.tag("outcome", outcome)
			.register(this.registry)).record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void fencedOut(IdempotentOperation operation, String transition) {
		counter(FENCED, "Calls that overran their lease and were refused a transition because another caller "
				+ "took the key over", operation, "transition", transition).increment();
	}

	@Override
	public void failedOpen(IdempotentOperation operation) {
		counter(UNGUARDED, "Calls run without a claim because the store failed and the operation fails open",
				operation, null, null).increment();
	}

	private Counter counter(String name, String description, IdempotentOperation operation, String tag,
			String value) {
		String id = name + '|' + operation.name() + '|' + operation.source() + '|' + value;
		Counter counter = this.counters.get(id);
		if (counter != null) {
			return counter;
		}
		return this.counters.computeIfAbsent(id, (k) -> {
			Counter.Builder builder = Counter.builder(name)
				.description(description)
				.tag("name", operation.name())
				.tag("source", operation.source());
			return ((tag != null) ? builder.tag(tag, value) : builder).register(this.registry);
		});
	}

}
