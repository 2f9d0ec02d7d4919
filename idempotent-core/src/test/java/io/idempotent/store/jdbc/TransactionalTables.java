package io.idempotent.store.jdbc;

import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates, from the shipped scripts, a fresh idempotency table under a test's own name, plus a business table
 * of effects ({@code <table>_effects}: one row per time a handler's work took effect), so effects can be
 * counted per key.
 */
final class TransactionalTables {

	private TransactionalTables() {
	}

	/**
	 * Drops and creates both tables.
	 * @param dataSource the database
	 * @param table the idempotency table's name
	 * @return the dialect found
	 */
	static JdbcDialect recreate(DataSource dataSource, String table) {
		JdbcDialect dialect = JdbcDialect.of(dataSource);
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
		populator.addScript(script(JdbcSchemaScripts.renamed(dialect.dropLocation(), table)));
		populator.addScript(script(JdbcSchemaScripts.renamed(dialect.schemaLocation(), table)));
		populator.execute(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("DROP TABLE IF EXISTS " + effects(table));
		jdbc.execute("CREATE TABLE " + effects(table) + " (msg_key VARCHAR(100) NOT NULL, note VARCHAR(100))");
		return dialect;
	}

	static String effects(String table) {
		return table + "_effects";
	}

	private static ByteArrayResource script(String sql) {
		return new ByteArrayResource(sql.getBytes(StandardCharsets.UTF_8));
	}

}
