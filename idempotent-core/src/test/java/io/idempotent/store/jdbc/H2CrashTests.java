package io.idempotent.store.jdbc;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.h2.tools.Server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.testsupport.TestServers;

/**
 * The crash tests on H2: an H2 TCP server in this JVM (loopback only) holds an in-memory database that the
 * child consumers and this test share; a killed consumer's session is rolled back when its socket closes. The
 * randomized run only with {@code -Didempotent.test.crash-full=true}.
 */
class H2CrashTests extends CrashTests {

	private static DataSource dataSource;

	@Override
	protected synchronized DataSource dataSource() {
		if (dataSource == null) {
			dataSource = start();
		}
		return dataSource;
	}

	@Override
	protected String database() {
		return "h2";
	}

	/** Only in the full run: PostgreSQL and MariaDB run it in every build, and the suite has a time budget. */
	@Override
	protected boolean randomRun() {
		return FULL;
	}

	private static DataSource start() {
		System.setProperty("h2.bindAddress", "127.0.0.1");
		try {
			int port = TestServers.freePort();
			Server server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
			TestServers.stopAtExit("stop-crash-h2", server::stop);
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl("jdbc:h2:tcp://127.0.0.1:" + port + "/mem:crash;DB_CLOSE_DELAY=-1");
			config.setUsername("sa");
			config.setPassword("");
			config.setMaximumPoolSize(4);
			config.setPoolName("crash-h2");
			HikariDataSource pool = new HikariDataSource(config);
			TestServers.stopAtExit("close-crash-h2", pool::close);
			return pool;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not start the H2 TCP server", ex);
		}
	}

}
