package io.idempotent.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * Creates the JDBC store's table from the schema script shipped for the detected database, like Spring
 * Session JDBC: for an embedded database by default, always, or never. The script's table name is replaced
 * by the configured one. A table that already exists is left alone.
 */
final class JdbcStoreSchemaInitializer {

	private static final Logger logger = LoggerFactory.getLogger(JdbcStoreSchemaInitializer.class);

	private static final String SHIPPED_TABLE = "idempotency_record";

	private JdbcStoreSchemaInitializer() {
	}

	static void initialize(JdbcIdempotencyStore store, DataSource dataSource, DatabaseInitializationMode mode) {
		boolean wanted = mode == DatabaseInitializationMode.ALWAYS
				|| (mode == DatabaseInitializationMode.EMBEDDED && EmbeddedDatabaseConnection.isEmbedded(dataSource));
		if (!wanted || exists(store)) {
			return;
		}
		String location = store.dialect().schemaLocation();
		logger.info("Creating idempotency table '{}' from {}", store.table(), location);
		String script = read(location).replace(SHIPPED_TABLE, store.table());
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator(
				new ByteArrayResource(script.getBytes(StandardCharsets.UTF_8), location));
		// another instance may be creating it at the same moment; verifySchema() judges the result
		populator.setContinueOnError(true);
		populator.execute(dataSource);
	}

	private static boolean exists(JdbcIdempotencyStore store) {
		try {
			store.verifySchema();
			return true;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	private static String read(String location) {
		try (InputStream in = new DefaultResourceLoader(JdbcStoreSchemaInitializer.class.getClassLoader())
			.getResource(location)
			.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + location, ex);
		}
	}

}
