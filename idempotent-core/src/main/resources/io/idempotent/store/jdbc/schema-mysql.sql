-- idempotent: the JDBC store's table for MySQL and MariaDB. Rename idempotency_record to match
-- idempotent.store.jdbc.table-name if you changed it (the auto-configuration does that for you).
-- Names and keys are VARBINARY (UTF-8, hashed by the store when longer than 160 bytes): they compare byte for
-- byte whatever the server's collation. Times are UTC (UTC_TIMESTAMP), whatever the session time zone.
CREATE TABLE IF NOT EXISTS idempotency_record (
    operation_name VARBINARY(200) NOT NULL,
    record_key     VARBINARY(200) NOT NULL,
    state          VARCHAR(16)    NOT NULL,
    owner_token    VARCHAR(64),
    fence          BIGINT         NOT NULL,
    fingerprint    VARBINARY(64),
    expires_at     DATETIME(3)    NOT NULL,
    created_at     DATETIME(3)    NOT NULL,
    result_data    LONGBLOB,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key),
    INDEX idempotency_record_expires_at_idx (expires_at)
) ENGINE = InnoDB;
