package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.idempotent.cache.CaffeineNearCache;
import io.idempotent.cache.CountingStore;
import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyLeaseLostException;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.transaction.JdbcTransactionalCompletion;

/**
 * The near cache with commit-with-transaction, on each database: a completion written inside the call's transaction is kept
 * only once that transaction has committed; a rollback (the handler's own failure, or an outer transaction the
 * call joined) keeps nothing, so the retry runs.
 */
abstract class NearCacheTransactionalTests {

	private static final String TABLE = "near_tx_records";

	final JdbcIdempotencyStore jdbcStore;

	private final CountingStore store;

	final DataSourceTransactionManager transactionManager;

	private final JdbcTemplate jdbc;

	final CaffeineNearCache cache = new CaffeineNearCache(100, Duration.ofHours(1), 4096, null);

	final IdempotentOperation operation = new IdempotentOperation("near-tx", "method",
			new IdempotencySettings(Duration.ofSeconds(30), Duration.ofHours(1), true, FailureMode.FAIL_CLOSED,
					PayloadMismatch.REPLAY, true, true));

	IdempotencyEngine engine;

	NearCacheTransactionalTests(DataSource dataSource) {
		this.transactionManager = new DataSourceTransactionManager(dataSource);
		this.jdbc = new JdbcTemplate(dataSource);
		TransactionalTables.recreate(dataSource, TABLE);
		this.jdbcStore = new JdbcIdempotencyStore(dataSource, TABLE, 65536);
		this.store = new CountingStore(this.jdbcStore);
	}

	@BeforeEach
	void startEngine() {
		JdbcTransactionalCompletion completion = new JdbcTransactionalCompletion(this.jdbcStore,
				this.transactionManager);
		completion.verify();
		this.engine = new IdempotencyEngine(this.store, IdempotencyObserver.NONE,
				new LeaseKeepAlive(this.store, IdempotencyObserver.NONE), Duration.ofSeconds(5), completion, this.cache);
	}

	@AfterEach
	void stopEngine() {
		this.engine.close();
	}

	@Test
	void aCompletionCommittedWithTheTransactionIsKeptAfterTheCommit() throws Throwable {
		IdempotencyKey key = newKey();
		assertThat(this.engine.execute(this.operation, key, effect(key, "first"))).isEqualTo("first");
		assertThat(this.cache.find(key)).isNotNull();
		int acquires = this.store.acquires.get();
		assertThat(this.engine.execute(this.operation, key, effect(key, "second"))).isEqualTo("first");
		assertThat(this.store.acquires).hasValue(acquires);
		assertThat(effects(key)).isEqualTo(1);
	}

	@Test
	void aHandlerThatFailsRollsBackAndLeavesNothingCached() throws Throwable {
		IdempotencyKey key = newKey();
		IllegalStateException failure = new IllegalStateException("boom");
		assertThatThrownBy(() -> this.engine.execute(this.operation, key, call(() -> {
			insertEffect(key);
			throw failure;
		}))).isSameAs(failure);
		assertThat(this.cache.find(key)).isNull();
		assertThat(effects(key)).isZero();
		assertThat(this.engine.execute(this.operation, key, effect(key, "retry"))).isEqualTo("retry");
		assertThat(effects(key)).isEqualTo(1);
	}

	@Test
	void anOuterTransactionThatRollsBackAfterTheCallReturnedLeavesNothingCached() throws Throwable {
		IdempotencyKey key = newKey();
		TransactionTemplate outer = new TransactionTemplate(this.transactionManager);
		// the call joins the outer transaction, returns normally, and the outer one is then rolled back
		String returned = outer.execute((status) -> {
			String result = run(key, "first");
			assertThat(this.cache.find(key)).as("not kept before the outer commit").isNull();
			status.setRollbackOnly();
			return result;
		});
		assertThat(returned).isEqualTo("first");
		assertThat(this.cache.find(key)).isNull();
		assertThat(effects(key)).isZero();
		assertThat(this.engine.execute(this.operation, key, effect(key, "retry"))).isEqualTo("retry");
		assertThat(effects(key)).isEqualTo(1);
		assertThat(this.cache.find(key)).isNotNull();
	}

	@Test
	void aCompletionRefusedAtCommitTimeBecauseTheLeaseWasLostLeavesNothingCached() throws Throwable {
		IdempotencyKey key = newKey();
		// the completion is written (and fenced out) just before the commit, which then rolls back
		assertThatThrownBy(() -> this.engine.execute(this.operation, key, call(() -> {
			insertEffect(key);
			takeOver(key);
			return "first";
		}))).isInstanceOf(IdempotencyLeaseLostException.class);
		assertThat(this.cache.find(key)).isNull();
		assertThat(effects(key)).isZero();
	}

	/** Makes the claim of {@code key} expire and takes it over with another token, as a second worker would. */
	private void takeOver(IdempotencyKey key) {
		new TransactionTemplate(this.transactionManager) {
			{
				setPropagationBehavior(PROPAGATION_REQUIRES_NEW);
			}
		}.executeWithoutResult((s) -> this.jdbc.update("UPDATE " + TABLE
				+ " SET expires_at = created_at WHERE state = 'PROCESSING'"));
		assertThat(this.jdbcStore.tryAcquire(key, Duration.ofSeconds(30)).status())
			.isEqualTo(io.idempotent.store.AcquireResult.Status.ACQUIRED);
	}

	private String run(IdempotencyKey key, String result) {
		try {
			return this.engine.execute(this.operation, key, effect(key, result));
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	static IdempotencyKey newKey() {
		return new IdempotencyKey("near-tx", UUID.randomUUID().toString());
	}

	void insertEffect(IdempotencyKey key) {
		this.jdbc.update("INSERT INTO " + TransactionalTables.effects(TABLE) + " (msg_key) VALUES (?)", key.value());
	}

	int effects(IdempotencyKey key) {
		return this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM " + TransactionalTables.effects(TABLE) + " WHERE msg_key = ?", Integer.class,
				key.value());
	}

	GuardedCall<String> effect(IdempotencyKey key, String result) {
		return call(() -> {
			insertEffect(key);
			return result;
		});
	}

	@FunctionalInterface
	interface Work {

		String run() throws Throwable;

	}

	static GuardedCall<String> call(Work work) {
		return new GuardedCall<>() {

			@Override
			public String proceed() throws Throwable {
				return work.run();
			}

			@Override
			public byte[] encode(String value) {
				return value.getBytes(StandardCharsets.UTF_8);
			}

			@Override
			public String replay(byte[] stored) {
				return new String(stored, StandardCharsets.UTF_8);
			}

		};
	}

}
