package io.idempotent.observation;

import io.micrometer.observation.Observation;

/**
 * What an {@code idempotent.store} observation knows: the store type, the transition and what the store
 * answered.
 */
public class StoreObservationContext extends Observation.Context {

	private final String store;

	private final String transition;

	private String result = "error";

	/**
	 * Creates the context.
	 * @param store the store type
	 * @param transition {@code acquire}, {@code complete} or {@code release}
	 */
	public StoreObservationContext(String store, String transition) {
		this.store = store;
		this.transition = transition;
	}

	public String getStore() {
		return this.store;
	}

	public String getTransition() {
		return this.transition;
	}

	/**
	 * What the store answered (see {@link IdempotencyObservationDocumentation.StoreKeyNames#RESULT}).
	 * @return the result
	 */
	public String getResult() {
		return this.result;
	}

	public void setResult(String result) {
		this.result = result;
	}

}
