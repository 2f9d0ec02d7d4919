package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.testsupport.TestDatabases;

/**
 * On PostgreSQL, {@code CURRENT_TIMESTAMP} is the transaction's start: a completion committed with the call's
 * transaction has its retention counted from then, not from the completing statement, so the near-cache entry
 * must not be counted from later (regression: the mark was taken just before the completing statement).
 */
class PostgresNearCacheTransactionalTests extends NearCacheTransactionalTests {

	PostgresNearCacheTransactionalTests() {
		super(TestDatabases.postgres());
	}

	@Test
	void aTransactionLongerThanTheRetentionKeepsNoEntryThatOutlivesTheRecord() throws Throwable {
		// the store counts the retention from the transaction's CURRENT_TIMESTAMP (its start), not from the commit
		IdempotentOperation shortLived = shortRetention(this.operation);
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(shortLived, key, call(() -> {
			insertEffect(key);
			outlastRetention();
			return "first";
		}))).isEqualTo("first");
		assertThat(this.jdbcStore.find(key)).as("committed already expired").isEmpty();
		assertThat(this.engine.execute(shortLived, key, effect(key, "second"))).as("as the store answers: expired")
			.isEqualTo("second");
		assertThat(effects(key)).isEqualTo(2);
	}

	@Test
	void aCallJoiningAnOlderOuterTransactionKeepsNoEntryThatOutlivesTheRecord() throws Throwable {
		IdempotentOperation shortLived = shortRetention(this.operation);
		IdempotencyKey key = newKey();
		IdempotencyKey earlier = newKey();
		new TransactionTemplate(this.transactionManager).executeWithoutResult((status) -> {
			insertEffect(earlier); // the outer transaction starts here
			outlastRetention();
			try {
				assertThat(this.engine.execute(shortLived, key, effect(key, "first"))).isEqualTo("first");
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(this.jdbcStore.find(key)).as("committed already expired").isEmpty();
		assertThat(this.engine.execute(shortLived, key, effect(key, "second"))).as("as the store answers: expired")
			.isEqualTo("second");
		assertThat(effects(key)).isEqualTo(2);
	}

	private static IdempotentOperation shortRetention(IdempotentOperation operation) {
		IdempotencySettings settings = operation.settings();
		return new IdempotentOperation(operation.name(), operation.source(),
				new IdempotencySettings(settings.lease(), Duration.ofMillis(500), settings.keepAlive(),
						settings.failureMode(), settings.payloadMismatch(), true, true));
	}

	/** Waits (in the open transaction) until more than the short retention has passed. */
	private static void outlastRetention() {
		long start = System.nanoTime();
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> System.nanoTime() - start > Duration.ofMillis(800).toNanos());
	}

}
