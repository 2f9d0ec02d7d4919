-- idempotent: the JDBC store's table for H2. Rename idempotency_record to match
-- idempotent.store.jdbc.table-name if you changed it (the auto-configuration does that for you).
-- Names and keys are bytes (UTF-8, hashed by the store when longer than 160 bytes) so they compare byte for byte.
CREATE TABLE IF NOT EXISTS idempotency_record (
    operation_name VARBINARY(200) NOT NULL,
    record_key     VARBINARY(200) NOT NULL,
    state          VARCHAR(16)    NOT NULL,
    owner_token    VARCHAR(64),
    fence          BIGINT         NOT NULL,
    fingerprint    VARBINARY(64),
    expires_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    result_data    BINARY LARGE OBJECT,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key)
);
CREATE INDEX IF NOT EXISTS idempotency_record_expires_at_idx ON idempotency_record (expires_at);
