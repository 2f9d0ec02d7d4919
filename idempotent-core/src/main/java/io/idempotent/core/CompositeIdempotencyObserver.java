package io.idempotent.core;

import java.util.List;

import io.idempotent.store.AcquireResult;

/**
 * Tells several observers, in order (observers must not throw).
 */
final class CompositeIdempotencyObserver implements IdempotencyObserver {

	private final IdempotencyObserver[] observers;

	CompositeIdempotencyObserver(List<? extends IdempotencyObserver> observers) {
		this.observers = observers.toArray(IdempotencyObserver[]::new);
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state) {
		for (IdempotencyObserver observer : this.observers) {
			observer.duplicate(operation, state);
		}
	}

	@Override
	public void duplicate(IdempotentOperation operation, AcquireResult.Status state, DuplicateLevel level) {
		for (IdempotencyObserver observer : this.observers) {
			observer.duplicate(operation, state, level);
		}
	}

	@Override
	public void nearCacheHit(IdempotentOperation operation, String originalTraceId) {
		for (IdempotencyObserver observer : this.observers) {
			observer.nearCacheHit(operation, originalTraceId);
		}
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation, DuplicateLevel level) {
		for (IdempotencyObserver observer : this.observers) {
			observer.payloadMismatch(operation, level);
		}
	}

	@Override
	public void executed(IdempotentOperation operation, boolean success, long nanos) {
		for (IdempotencyObserver observer : this.observers) {
			observer.executed(operation, success, nanos);
		}
	}

	@Override
	public void fencedOut(IdempotentOperation operation, String transition) {
		for (IdempotencyObserver observer : this.observers) {
			observer.fencedOut(operation, transition);
		}
	}

	@Override
	public void failedOpen(IdempotentOperation operation) {
		for (IdempotencyObserver observer : this.observers) {
			observer.failedOpen(operation);
		}
	}

	@Override
	public void payloadMismatch(IdempotentOperation operation) {
		for (IdempotencyObserver observer : this.observers) {
			observer.payloadMismatch(operation);
		}
	}

	@Override
	public void completionFailed(IdempotentOperation operation) {
		for (IdempotencyObserver observer : this.observers) {
			observer.completionFailed(operation);
		}
	}

}
