package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;


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
