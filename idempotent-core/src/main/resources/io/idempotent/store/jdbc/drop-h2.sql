-- idempotent: drops the JDBC store's table (h2).
DROP TABLE IF EXISTS idempotency_record;
