package io.idempotent.observation;

import io.micrometer.observation.Observation;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotentOperation;

/**
 * What an {@code idempotent.execution} observation knows: the operation, and, filled in as the call goes, its
 * key, its outcome and (on a replay) the original execution's trace id.
 */
public class IdempotencyObservationContext extends Observation.Context {

	private final IdempotentOperation operation;

	private volatile IdempotencyKey key;

	private volatile String outcome = "unknown";

	private volatile String originalTraceId;

	/**
	 * Creates the context.
	 * @param operation the guarded operation
	 */
	public IdempotencyObservationContext(IdempotentOperation operation) {
		this.operation = operation;
	}

	public IdempotentOperation getOperation() {
		return this.operation;
	}

	/**
	 * The key the call claimed, once the store was asked; null before.
	 * @return the key
	 */
	public IdempotencyKey getKey() {
		return this.key;
	}

	public void setKey(IdempotencyKey key) {
		this.key = key;
	}

	/**
	 * How the call ended (see {@link IdempotencyObservationDocumentation.ExecutionKeyNames#OUTCOME}).
	 * @return the outcome
	 */
	public String getOutcome() {
		return this.outcome;
	}

	public void setOutcome(String outcome) {
		this.outcome = outcome;
	}

	/**
	 * On a replay, the trace id of the call that did the work; else null.
	 * @return the trace id
	 */
	public String getOriginalTraceId() {
		return this.originalTraceId;
	}

	public void setOriginalTraceId(String originalTraceId) {
		this.originalTraceId = originalTraceId;
	}

}
