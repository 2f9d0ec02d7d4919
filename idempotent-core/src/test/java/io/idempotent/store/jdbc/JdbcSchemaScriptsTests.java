package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcSchemaScriptsTests {

	@Test
	void aSchemaQualifiedNameQualifiesTheTableButNotItsConstraintAndIndexNames() {
		for (JdbcDialect dialect : JdbcDialect.values()) {
			String script = JdbcSchemaScripts.renamed(dialect.schemaLocation(), "audit.idem");
			assertThat(script).contains("CREATE TABLE IF NOT EXISTS audit.idem (")
				.contains("CONSTRAINT idem_pk PRIMARY KEY")
				.contains("idem_expires_at_idx")
				.doesNotContain("audit.idem_")
				.doesNotContain("idempotency_record");
		}
	}

	@Test
	void aPlainNameReplacesEveryOccurrence() {
		String script = JdbcSchemaScripts.renamed(JdbcDialect.POSTGRESQL.schemaLocation(), "payments_idem");
		assertThat(script).contains("CREATE TABLE IF NOT EXISTS payments_idem (")
			.contains("CONSTRAINT payments_idem_pk")
			.contains("CREATE INDEX IF NOT EXISTS payments_idem_expires_at_idx ON payments_idem (expires_at)");
	}

}
