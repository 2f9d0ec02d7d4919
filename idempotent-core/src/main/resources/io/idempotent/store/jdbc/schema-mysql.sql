-- idempotent: the JDBC store's table for MySQL and MariaDB. Rename idempotency_record to match
-- idempotent.store.jdbc.table-name if you changed it.
CREATE TABLE idempotency_record (
    operation_name VARCHAR(200) NOT NULL,
    record_key     VARCHAR(200) NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    owner_token    VARCHAR(64),
    expires_at     DATETIME(3)  NOT NULL,
    created_at     DATETIME(3)  NOT NULL,
    result_data    LONGBLOB,
    CONSTRAINT idempotency_record_pk PRIMARY KEY (operation_name, record_key)
) ENGINE = InnoDB;
CREATE INDEX idempotency_record_expires_at_idx ON idempotency_record (expires_at);
