package io.idempotent.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Binds the JDBC store's parameters with the typed setter of each value, so that the hot path never asks the
 * driver for parameter types (a {@code null} is always a binary column of the store's tables, the fingerprint).
 */
final class JdbcStatements {

	private JdbcStatements() {
	}

	static void bind(PreparedStatement statement, Object... args) throws SQLException {
		for (int i = 0; i < args.length; i++) {
			int index = i + 1;
			Object value = args[i];
			if (value instanceof byte[] bytes) {
				statement.setBytes(index, bytes);
			}
			else if (value instanceof String text) {
				statement.setString(index, text);
			}
			else if (value instanceof Long number) {
				statement.setLong(index, number);
			}
			else if (value instanceof Integer number) {
				statement.setInt(index, number);
			}
			else if (value == null) {
				statement.setNull(index, Types.VARBINARY);
			}
			else {
				statement.setObject(index, value);
			}
		}
	}

}
