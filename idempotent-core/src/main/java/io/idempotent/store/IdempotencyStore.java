package io.idempotent.store;

import java.time.Duration;
import java.util.Optional;


/**
 * Where idempotency records live. Small and atomic: every state change is one atomic store call, decided
 * inside the store, so callers never check and then act.
 *
 * <p>A record is PROCESSING (claimed, held for a lease) or COMPLETED (holding the result, kept for a
 * retention period). Expired records behave as if absent. {@link #complete}, {@link #release} and
 * {@link #renew} are fenced: they take effect only while the caller's token is the record's current owner,
 * so a worker whose lease expired and was taken over cannot overwrite or delete its successor's record.
 *
 * <p>Implementations throw {@link IdempotencyStoreException} when the backend fails; they never turn a
 * failure into a normal outcome.
 */
public interface IdempotencyStore {

	/**
	 * Atomically claims the key, unless it is held by an unexpired lease or completed. An expired lease is taken
	 * over with a new token.
	 * @param key the key
	 * @param lease how long the claim is held before others may take it over
	 * @return ACQUIRED with a fresh token, IN_PROGRESS, or COMPLETED with the stored result
	 */
	AcquireResult tryAcquire(IdempotencyKey key, Duration lease);

	/**
	 * Atomically claims the key like {@link #tryAcquire(IdempotencyKey, Duration)}, and stores the request's
	 * fingerprint with the claim (kept with the record once it completes), so a later caller with the same key
	 * learns, in the same round trip, whether its request is the same one ({@link AcquireResult#fingerprint()}).
	 * An ACQUIRED result also carries a fence ({@link AcquireResult#fence()}) that grows with every claim and
	 * takeover of the key.
	 * <p><b>Fence guarantee</b> (every shipped store, proven by the contract suite): an ACQUIRED fence is
	 * positive and strictly greater than the fence of every earlier claim or takeover of the same key for as long
	 * as the store keeps any record of the key; a release does not end that (it keeps the key's fence until the
	 * record expires), an {@link #evict} or the expiry of the record may. After that the next fence is seeded
	 * from the store's clock in microseconds, so it is still greater unless that clock went back. Each store's
	 * Javadoc says which clock.
	 * <p><b>Fingerprint</b>: at most 64 bytes (a larger one is an {@link IllegalArgumentException}); kept with
	 * the record when it completes and replaced by a takeover; reported with IN_PROGRESS and COMPLETED.
	 * <p>The default ignores the fingerprint: stores that cannot keep one report it as unknown (null).
	 * @param key the key
	 * @param lease how long the claim is held before others may take it over
	 * @param fingerprint a digest of the request (at most 64 bytes), or null
	 * @return ACQUIRED with a fresh token and fence, IN_PROGRESS or COMPLETED with the stored fingerprint
	 */
	default AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		return tryAcquire(key, lease);
	}

	/**
	 * The largest result, in bytes, {@link #complete} accepts. Callers check it before completing, where a
	 * result that is too large can still be refused cleanly (release the claim, fail the call). A larger result
	 * given to {@link #complete} is refused with {@link IdempotencyStoreException} before anything is written:
	 * the claim stays PROCESSING and owned by the caller, who should then {@link #release} it.
	 * @return the limit in bytes
	 */
	default int maxResultSize() {
		return Integer.MAX_VALUE;
	}

	/**
	 * Atomically marks the key COMPLETED with its result, kept for the retention, if the token still owns it.
	 * Once the lease has run out the claim may be gone (stores delete expired records), so an owner whose
	 * lease expired can be fenced out even when nobody took over; keep-alive ({@link #renew}) prevents that.
	 * @param key the key
	 * @param token the owner's token from {@link #tryAcquire}
	 * @param result the bytes to hand to later duplicates
	 * @param retention how long the completed record is kept
	 * @return true when completed; false when the token no longer owns the key (fenced out)
	 */
	boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention);

	/**
	 * Completes the key like {@link #complete}, but as a statement of the database transaction the calling thread
	 * holds (commit-with-transaction), so it commits or rolls back with that transaction. Only a store that can
	 * join the caller's transaction supports it (the JDBC store); a decorator forwards it to the store it wraps,
	 * so that the completion is timed and observed like every other store call.
	 * @param key the key
	 * @param token the owner's token from {@link #tryAcquire}
	 * @param result the bytes to hand to later duplicates
	 * @param retention how long the completed record is kept
	 * @return true when completed; false when the token no longer owns the key (fenced out)
	 * @throws UnsupportedOperationException when this store cannot (the default)
	 */
	default boolean completeInCurrentTransaction(IdempotencyKey key, String token, byte[] result,
			Duration retention) {
		throw new UnsupportedOperationException("The " + type() + " store cannot complete a key in the caller's "
				+ "transaction");
	}

	/**
	 * Atomically deletes the claim if the token still owns it and it is PROCESSING, so a retry may run.
	 * @param key the key
	 * @param token the owner's token
	 * @return true when released; false when the token no longer owns the key (fenced out)
	 */
	boolean release(IdempotencyKey key, String token);

	/**
	 * Atomically extends the lease of a PROCESSING claim the token still owns.
	 * @param key the key
	 * @param token the owner's token
	 * @param lease the new lease, counted from now
	 * @return true when renewed; false when the token no longer owns the key
	 */
	boolean renew(IdempotencyKey key, String token, Duration lease);

	/**
	 * Reads the live record of a key, for operators. Not for decisions.
	 * @param key the key
	 * @return the record, empty when absent or expired
	 */
	Optional<IdempotencyRecord> find(IdempotencyKey key);

	/**
	 * Deletes the record of a key whatever its state, so the next call runs again (an operator forcing a
	 * reprocess).
	 * @param key the key
	 * @return true when a live record was deleted
	 */
	boolean evict(IdempotencyKey key);

	/**
	 * A short name for logs and metric tags, such as {@code redis}, {@code jdbc} or {@code memory}.
	 * @return the store type
	 */
	String type();

}
