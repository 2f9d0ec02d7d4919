package io.idempotent.store;

/**
 * The two states a stored record can be in.
 */
public enum RecordState {

	/** Claimed by a caller whose call is running; held for the lease. */
	PROCESSING,

	/** Completed; the result is held for the retention period. */
	COMPLETED

}
