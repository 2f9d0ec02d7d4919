package io.idempotent.autoconfigure.web.crash;

import javax.sql.DataSource;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.idempotent.testsupport.TestDatabases;

/**
 * The HTTP crash test on MariaDB: part of the full crash run only ({@code -Didempotent.test.crash-full=true}),
 * for the ordinary build's time budget (its four child JVMs take about 40 s here).
 */
@EnabledIfSystemProperty(named = "idempotent.test.crash-full", matches = "true")
class MariaDbHttpCrashTests extends HttpCrashTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.mariadb();
	}

	@Override
	protected String database() {
		return "mariadb";
	}

}
