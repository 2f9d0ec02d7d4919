-- idempotent: drops the JDBC store's table (postgresql).
DROP TABLE IF EXISTS idempotency_record;
