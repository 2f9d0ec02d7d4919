-- idempotent: the JDBC store's table for H2. Rename idempotency_record to match
-- idempotent.store.jdbc.table-name if you changed it.
CREATE TABLE idempotency_record (
    operation_name VARCHAR(200) NOT NULL,
    record_key     VARCHAR(200) NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    owner_token    VARCHAR(64),
    expires_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    result_data    BLOB,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key)
);
CREATE INDEX idempotency_record_expires_at_idx ON idempotency_record (expires_at);
