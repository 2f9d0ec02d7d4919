package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.idempotent.testsupport.TestDatabases;
import io.idempotent.testsupport.TestRedis;

/**
 * The crash tests on PostgreSQL, plus the default mode on the Redis store (effects still in PostgreSQL) and a
 * randomized run of the default JDBC mode (with {@code -Didempotent.test.crash-full=true}), whose duplicates
 * are reported for comparison.
 */
class PostgresCrashTests extends CrashTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.postgres();
	}

	@Override
	protected String database() {
		return "postgresql";
	}

	@Override
	protected String redis() {
		return TestRedis.host() + ":" + TestRedis.port();
	}

	@Test
	void theSeparateCompletionOnRedisLosesNothingAndItsDuplicatesAreCounted() throws Exception {
		Outcome outcome = killAtEachPoint("redis", CrashConsumer.SEPARATE_POINTS, "crash_redis");
		assertThat(outcome.lost()).isZero();
		assertThat(outcome.duplicated()).as("the kill between the handler's commit and the completion").isEqualTo(1);
	}

	@Test
	@EnabledIfSystemProperty(named = "idempotent.test.crash-full", matches = "true")
	void theSeparateCompletionUnderRandomKillsLosesNothingAndItsDuplicatesAreCounted() throws Exception {
		Outcome outcome = killAtRandom("jdbc", "crash_rnd_sep", 2000, 400, 5, 42);
		assertThat(outcome.lost()).isZero();
	}

}
