-- idempotent: drops the JDBC store's table (mysql).
DROP TABLE IF EXISTS idempotency_record;
