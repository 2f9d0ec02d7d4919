-- idempotent: the JDBC store's table for PostgreSQL. Rename idempotency_record to match
-- idempotent.store.jdbc.table-name if you changed it (the auto-configuration does that for you).
-- Names and keys are bytes (UTF-8, hashed by the store when longer than 160 bytes) so they compare byte for byte.
CREATE TABLE IF NOT EXISTS idempotency_record (
    operation_name BYTEA        NOT NULL,
    record_key     BYTEA        NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    owner_token    VARCHAR(64),
    fence          BIGINT       NOT NULL,
    fingerprint    BYTEA,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    result_data    BYTEA,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key)
);
CREATE INDEX IF NOT EXISTS idempotency_record_expires_at_idx ON idempotency_record (expires_at);
