package io.idempotent.core;

/**
 * Where a duplicate of a completed key was recognised: in this instance's {@link NearCache}, with no store round
 * trip, or by the shared store.
 */
public enum DuplicateLevel {

	/** Answered from this instance's near cache, without a store call. */
	NEAR("near"),

	/** Answered by the shared store. */
	STORE("store");

	private final String tagValue;

	DuplicateLevel(String tagValue) {
		this.tagValue = tagValue;
	}

	/**
	 * The metric tag value: {@code near} or {@code store}.
	 * @return the value
	 */
	public String tagValue() {
		return this.tagValue;
	}

}
