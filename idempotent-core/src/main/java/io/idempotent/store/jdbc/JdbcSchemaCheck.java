package io.idempotent.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The start-up check of the JDBC store's table. It reads every column, then, in a transaction it always rolls
 * back, writes probe rows that prove the table keeps the store's promises: names and keys that differ only in
 * case or a trailing space are distinct, a name and a key of the longest stored length fit, and a result of
 * the configured maximum size is kept whole. A table created by an older or hand-written script fails here,
 * at start-up, with a message naming the shipped script, instead of merging keys at run time.
 */
final class JdbcSchemaCheck {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final JdbcDialect dialect;

	private final String table;

	private final int maxResultSize;

	JdbcSchemaCheck(JdbcTemplate jdbc, TransactionTemplate transactions, JdbcDialect dialect, String table,
			int maxResultSize) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.dialect = dialect;
		this.table = table;
		this.maxResultSize = maxResultSize;
	}

	void verify() {
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.queryForList("SELECT operation_name, "
					+ "record_key, state, owner_token, fence, fingerprint, expires_at, created_at, result_data FROM "
					+ this.table + " WHERE 1 = 0"));
		}
		catch (DataAccessException ex) {
			throw failure("is missing or incomplete", ex);
		}
		try {
			this.transactions.executeWithoutResult((status) -> {
				status.setRollbackOnly();
				probe();
			});
		}
		catch (TransactionSystemException ex) {
			// the server may drop the connection (e.g. a result over MySQL's max_allowed_packet): keep our finding
			if (ex.getApplicationException() instanceof IllegalStateException finding) {
				throw finding;
			}
			throw failure("failed its start-up check", ex);
		}
		catch (DataAccessException ex) {
			throw failure("failed its start-up check", ex);
		}
	}

	private void probe() {
		String unique = UUID.randomUUID().toString();
		byte[] name = ("idempotent-schema-check-" + unique).getBytes(StandardCharsets.UTF_8);
		String insert = "INSERT INTO " + this.table + " (operation_name, record_key, state, owner_token, fence, "
				+ "expires_at, created_at) VALUES (?, ?, 'PROCESSING', 'schema-check', 0, " + this.dialect.now() + ", "
				+ this.dialect.now() + ")";
		try {
			this.jdbc.update(insert, name, bytes("Key-" + unique));
			this.jdbc.update(insert, name, bytes("key-" + unique));
			this.jdbc.update(insert, name, bytes("key-" + unique + " "));
		}
		catch (DuplicateKeyException ex) {
			throw failure("treats keys that differ in case or trailing spaces as equal (a case- or "
					+ "pad-insensitive collation), which would merge different keys", ex);
		}
		catch (DataAccessException ex) {
			throw failure("cannot store names and keys as bytes", ex);
		}
		byte[] longest = new byte[StoredNames.MAX_PLAIN_BYTES];
		Arrays.fill(longest, (byte) 'n');
		System.arraycopy(name, 0, longest, 0, name.length);
		try {
			this.jdbc.update(insert, longest, longest);
			this.jdbc.update("UPDATE " + this.table + " SET result_data = ? WHERE operation_name = ? AND record_key = ?",
					new byte[this.maxResultSize], longest, longest);
			Integer stored = this.jdbc.query("SELECT result_data FROM " + this.table
					+ " WHERE operation_name = ? AND record_key = ?", (rs) -> rs.next() ? rs.getBytes(1).length : null,
					longest, longest);
			if (stored == null || stored != this.maxResultSize) {
				throw failure("kept " + stored + " of a " + this.maxResultSize + "-byte result", null);
			}
		}
		catch (DataAccessException ex) {
			throw failure("cannot hold a " + StoredNames.MAX_PLAIN_BYTES + "-byte name and key with a "
					+ this.maxResultSize + "-byte result (idempotent.store.max-result-size)", ex);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private IllegalStateException failure(String problem, Exception cause) {
		return new IllegalStateException("The idempotency table '" + this.table + "' " + problem + ". Create it with "
				+ this.dialect.schemaLocation() + " (rename the table if you changed it), or set "
				+ "idempotent.store.jdbc.initialize-schema=always"
				+ ((cause != null) ? ". Cause: " + causeMessage(cause) : ""), cause);
	}

	private static String causeMessage(Exception ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getMessage();
	}

}
