package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;


import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.testsupport.TestDatabases;

class MariaDbJdbcIdempotencyStoreTests extends JdbcIdempotencyStoreContractTests {

	@Override
	protected DataSource dataSource() {
		return TestDatabases.mariadb();
	}

	@Override
	protected boolean expectsOneRoundTripClaims() {
		return true;
	}

	@Override
	protected JdbcDialect expectedDialect() {
		return JdbcDialect.MYSQL;
	}

	@Override
	protected String sessionTimeZoneSql(String offset) {
		return "SET time_zone = '" + offset + "'";
	}

	@Override
	protected String qualifyingSchema() {
		return "idempotent";
	}

	@Test
	void renewsThatChangeNothingStillSucceedWhenTheDriverCountsOnlyChangedRows() {
		// useAffectedRows=true: an UPDATE that leaves its row as it was (same millisecond) reports 0 rows
		DataSource affectedRows = TestDatabases.variant(dataSource(), "affected-rows",
				(c) -> c.setJdbcUrl(c.getJdbcUrl() + "?useAffectedRows=true"));
		JdbcIdempotencyStore store = configured(new JdbcIdempotencyStore(affectedRows, "idempotency_record", MAX_RESULT));
		for (int i = 0; i < 20; i++) {
			IdempotencyKey key = newKey();
			AcquireResult claim = store.tryAcquire(key, Duration.ofMinutes(30));
			for (int renewal = 0; renewal < 5; renewal++) {
				assertThat(store.renew(key, claim.token(), Duration.ofMinutes(30))).as("renewal %d", renewal).isTrue();
			}
			assertThat(store.renew(key, "another-token", Duration.ofMinutes(30))).isFalse();
			assertThat(store.complete(key, claim.token(), new byte[] { 1 }, Duration.ofMinutes(30))).isTrue();
			assertThat(store.renew(key, claim.token(), Duration.ofMinutes(30))).isFalse();
		}
	}

	@Test
	void aTableWithACaseInsensitiveCollationFailsAtStartUp() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS ci_records");
		String script = JdbcSchemaScripts.renamed(expectedDialect().schemaLocation(), "ci_records")
			.replace("VARBINARY(200)", "VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
			.replaceAll("(?m)^--.*$", "");
		jdbc.execute(script.substring(0, script.indexOf(';')));
		JdbcIdempotencyStore merging = new JdbcIdempotencyStore(dataSource(), "ci_records", MAX_RESULT);
		assertThatThrownBy(merging::verifySchema).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'ci_records'")
			.hasMessageContaining("case or trailing spaces")
			.hasMessageContaining("schema-mysql.sql");
	}

}
