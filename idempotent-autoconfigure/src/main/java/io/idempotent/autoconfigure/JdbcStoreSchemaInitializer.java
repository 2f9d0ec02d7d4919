package io.idempotent.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import io.idempotent.store.jdbc.JdbcDialect;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.store.jdbc.JdbcSchemaScripts;

/**
 * Creates the JDBC store's table from the schema script shipped for the detected database, with Boot's own
 * {@link DataSourceScriptDatabaseInitializer} ({@code embedded} by default, {@code always}, or {@code never}),
 * the table renamed to the configured one (constraint and index names from its unqualified part, so a
 * schema-qualified name works). The scripts say {@code CREATE ... IF NOT EXISTS}: a table that exists is left
 * alone, and a script error fails start-up instead of being swallowed.
 *
 * <p>The bean is declared {@code @DependsOnDatabaseInitialization}, so it runs after {@code spring.sql.init},
 * Flyway and Liquibase: a table they create is found, not created twice.
 */
final class JdbcStoreSchemaInitializer implements InitializingBean {

	private final DataSource dataSource;

	private final String table;

	private final DatabaseInitializationMode mode;

	JdbcStoreSchemaInitializer(DataSource dataSource, String table, DatabaseInitializationMode mode) {
		JdbcIdempotencyStore.checkTableName(table);
		this.dataSource = dataSource;
		this.table = table;
		this.mode = mode;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.mode == DatabaseInitializationMode.NEVER) {
			return;
		}
		JdbcDialect dialect = JdbcDialect.of(this.dataSource);
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(List.of(dialect.schemaLocation()));
		settings.setMode(this.mode);
		new RenamingInitializer(this.dataSource, settings, this.table).initializeDatabase();
	}

	/** Boot's initializer, with the shipped table name replaced in every script it runs. */
	private static final class RenamingInitializer extends DataSourceScriptDatabaseInitializer {

		private final String table;

		RenamingInitializer(DataSource dataSource, DatabaseInitializationSettings settings, String table) {
			super(dataSource, settings);
			this.table = table;
		}

		@Override
		protected void runScripts(Scripts scripts) {
			List<Resource> renamed = new ArrayList<>();
			for (Resource script : scripts) {
				try {
					String text = script.getContentAsString(StandardCharsets.UTF_8);
					renamed.add(new ByteArrayResource(JdbcSchemaScripts.rename(text, this.table)
						.getBytes(StandardCharsets.UTF_8), script.getDescription()));
				}
				catch (java.io.IOException ex) {
					throw new java.io.UncheckedIOException("Cannot read " + script, ex);
				}
			}
			ResourceDatabasePopulator populator = new ResourceDatabasePopulator(renamed.toArray(Resource[]::new));
			populator.setContinueOnError(false);
			populator.execute(getDataSource());
		}

	}

}
