-- The application's own schema, as a user would write it (plain CREATE TABLE, no IF NOT EXISTS).
CREATE TABLE idempotency_record (
    operation_name VARBINARY(200) NOT NULL,
    record_key     VARBINARY(200) NOT NULL,
    state          VARCHAR(16)    NOT NULL,
    owner_token    VARCHAR(64),
    fence          BIGINT         NOT NULL,
    fingerprint    VARBINARY(64),
    expires_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    result_data    BLOB,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key)
);
CREATE INDEX idempotency_record_expires_at_idx ON idempotency_record (expires_at);
