package io.idempotent.store.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The crash tests' tables: the idempotency table and effects ({@link TransactionalTables}) plus an inbox that
 * plays the broker (a message stays pending until acknowledged), and the count of effects per key.
 */
final class CrashTables {

	private CrashTables() {
	}

	static String inbox(String table) {
		return table + "_inbox";
	}

	/**
	 * Recreates the tables and fills the inbox with the messages, in order.
	 * @param dataSource the database
	 * @param table the idempotency table's name
	 * @param messages the messages' keys, resends included
	 */
	static void recreate(DataSource dataSource, String table, List<String> messages) {
		TransactionalTables.recreate(dataSource, table);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("DROP TABLE IF EXISTS " + inbox(table));
		jdbc.execute("CREATE TABLE " + inbox(table) + " (seq INT PRIMARY KEY, msg_key VARCHAR(100) NOT NULL, "
				+ "acked SMALLINT NOT NULL)");
		List<Object[]> rows = new ArrayList<>();
		for (int seq = 0; seq < messages.size(); seq++) {
			rows.add(new Object[] { seq, messages.get(seq) });
		}
		jdbc.batchUpdate("INSERT INTO " + inbox(table) + " (seq, msg_key, acked) VALUES (?, ?, 0)", rows);
	}

	/**
	 * Effects per key.
	 * @param dataSource the database
	 * @param table the idempotency table's name
	 * @return the count of each key that took effect at least once
	 */
	static Map<String, Integer> effects(DataSource dataSource, String table) {
		Map<String, Integer> counts = new TreeMap<>();
		new JdbcTemplate(dataSource).query("SELECT msg_key, COUNT(*) AS n FROM " + TransactionalTables.effects(table)
				+ " GROUP BY msg_key", (rs) -> {
					counts.put(rs.getString("msg_key"), rs.getInt("n"));
				});
		return counts;
	}

}
