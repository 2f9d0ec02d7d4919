package io.idempotent.store;

import java.time.Instant;

/**
 * A snapshot of one live record, for operators (the actuator endpoint); never used to make decisions, which
 * are taken atomically inside the store.
 *
 * @param state the record's state
 * @param expiresAt when the lease (PROCESSING) or the retention (COMPLETED) ends, by the store's clock
 * @param resultSize the size in bytes of the stored result (0 while PROCESSING)
 */
public record IdempotencyRecord(RecordState state, Instant expiresAt, int resultSize) {
}
