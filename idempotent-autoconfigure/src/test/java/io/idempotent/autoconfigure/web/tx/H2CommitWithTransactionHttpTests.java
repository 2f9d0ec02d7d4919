package io.idempotent.autoconfigure.web.tx;

import org.springframework.test.context.TestPropertySource;

/** The HTTP commit-with-transaction tests on an in-memory H2 database. */
@TestPropertySource(properties = { "spring.datasource.url=jdbc:h2:mem:http-tx;DB_CLOSE_DELAY=-1",
		"idempotent.store.jdbc.table-name=http_tx_h2" })
class H2CommitWithTransactionHttpTests extends CommitWithTransactionHttpTests {

}
