package io.idempotent.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.DefaultResourceLoader;

/**
 * The shipped schema scripts, renamed for a configured table. The scripts name the table
 * {@code idempotency_record} and derive their constraint and index names from it
 * ({@code idempotency_record_pk}, ...). A renamed script uses the configured name, schema included, for the
 * table, and only its unqualified part for constraint and index names (which cannot be schema-qualified), so
 * {@code audit.idem} creates {@code audit.idem} with {@code idem_pk}.
 */
public final class JdbcSchemaScripts {

	/** The table name used in the shipped scripts. */
	public static final String SHIPPED_TABLE = "idempotency_record";

	private static final Pattern NAME = Pattern.compile(SHIPPED_TABLE + "(_[a-z_]+)?");

	private JdbcSchemaScripts() {
	}

	/**
	 * The shipped script at {@code location} with its table renamed.
	 * @param location a classpath location, such as {@link JdbcDialect#schemaLocation()}
	 * @param table the configured table name, optionally schema-qualified
	 * @return the SQL text
	 */
	public static String renamed(String location, String table) {
		return rename(read(location), table);
	}

	/**
	 * Renames the table in a script's text.
	 * @param script the shipped script's text
	 * @param table the configured table name, optionally schema-qualified
	 * @return the renamed text
	 */
	public static String rename(String script, String table) {
		String unqualified = table.substring(table.lastIndexOf('.') + 1);
		Matcher matcher = NAME.matcher(script);
		StringBuilder renamed = new StringBuilder();
		while (matcher.find()) {
			String suffix = matcher.group(1);
			matcher.appendReplacement(renamed, Matcher.quoteReplacement((suffix != null) ? unqualified + suffix : table));
		}
		matcher.appendTail(renamed);
		return renamed.toString();
	}

	private static String read(String location) {
		try (InputStream in = new DefaultResourceLoader(JdbcSchemaScripts.class.getClassLoader()).getResource(location)
			.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + location, ex);
		}
	}

}
