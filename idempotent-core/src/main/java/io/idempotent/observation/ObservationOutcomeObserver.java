package io.idempotent.observation;

import io.micrometer.observation.ObservationRegistry;

import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.AcquireResult;

/**
 * Sets the outcome of the current {@code idempotent.execution} observation from what the engine decides, on the
 * thread the engine decides it. The meters ({@link io.idempotent.metrics.MicrometerIdempotencyObserver}) hear
 * the same decisions independently.
 */
public final class ObservationOutcomeObserver implements IdempotencyObserver {

	private final ObservationRegistry registry;

	/**
	 * Creates the observer.
	 * @param registry the registry whose current observation is the call's
	 */
	public ObservationOutcomeObserver(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
		outcome((state == AcquireResult.Status.COMPLETED) ? "replayed" : "refused-in-progress");
	}

	@Override
	public void nearCacheHit(IdempotentOperation operation, String originalTraceId) {
		// the observed store links a replay found in the store; one found in the near cache is linked here
		IdempotencyObservationContext execution = ObservedIdempotencyStore.currentExecution(this.registry);
		if (execution != null && originalTraceId != null) {
			execution.setOriginalTraceId(originalTraceId);
		}
	}

	@Override
	public void executed(IdempotentOperation operation, boolean success, long nanos) {
		outcome(success ? "executed" : "failed");
	}

	@Override
	public void fencedOut(IdempotentOperation operation, String transition) {
		outcome("fenced");
	}

	@Override
	public void failedOpen(IdempotentOperation operation) {
		outcome("unguarded");
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation) {
		outcome("mismatch");
	}

	private void outcome(String outcome) {
		IdempotencyObservationContext execution = ObservedIdempotencyStore.currentExecution(this.registry);
		if (execution != null) {
			execution.setOutcome(outcome);
		}
	}

}
