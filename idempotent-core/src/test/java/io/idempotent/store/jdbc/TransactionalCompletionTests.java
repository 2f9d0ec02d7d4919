package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencyLeaseLostException;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.testsupport.TestDatabases;
import io.idempotent.transaction.JdbcTransactionalCompletion;

/**
 * Commit-with-transaction on a real database: the handler's writes (JdbcTemplate) and the completion commit
 * together or not at all, whoever starts the transaction; a claim is visible at once; a lost lease rolls the
 * business writes back. Every check counts the effects in the business table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TransactionalCompletionTests {

	private static final String TABLE = "tx_records";

	private JdbcIdempotencyStore store;

	private JdbcTemplate jdbc;

	private DataSourceTransactionManager transactionManager;

	private IdempotencyEngine engine;

	private IdempotentOperation operation;

	protected abstract DataSource dataSource();

	@BeforeAll
	void createTables() {
		TransactionalTables.recreate(dataSource(), TABLE);
		this.store = new JdbcIdempotencyStore(dataSource(), TABLE, 65536);
		this.jdbc = new JdbcTemplate(dataSource());
		this.transactionManager = new DataSourceTransactionManager(dataSource());
	}

	@BeforeEach
	void startEngine() {
		JdbcTransactionalCompletion completion = new JdbcTransactionalCompletion(this.store, this.transactionManager);
		completion.verify();
		this.engine = new IdempotencyEngine(this.store, IdempotencyObserver.NONE,
				new LeaseKeepAlive(this.store, IdempotencyObserver.NONE), Duration.ofSeconds(5), completion);
		this.operation = operation(Duration.ofSeconds(30), true);
	}

	@AfterEach
	void stopEngine() {
		this.engine.close();
	}

	@Test
	void theEffectAndTheCompletionCommitTogetherAndADuplicateReplays() throws Throwable {
		String key = newKey();
		assertThat(this.engine.execute(this.operation, key(key), effect(key, "first"))).isEqualTo("first");
		assertThat(this.engine.execute(this.operation, key(key), effect(key, "second"))).isEqualTo("first");
		assertThat(effects(key)).isEqualTo(1);
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void aHandlerThatThrowsRollsItsWritesBackAndReleasesTheKey() throws Throwable {
		String key = newKey();
		IllegalStateException failure = new IllegalStateException("boom");
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(key), call(() -> {
			insertEffect(key);
			throw failure;
		}))).isSameAs(failure);
		assertThat(effects(key)).isZero();
		assertThat(this.engine.execute(this.operation, key(key), effect(key, "retry"))).isEqualTo("retry");
		assertThat(effects(key)).isEqualTo(1);
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void aDuplicateSeesTheClaimInProgressWhileTheTransactionRuns() throws Throwable {
		String key = newKey();
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch proceed = new CountDownLatch(1);
		CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
			try {
				return this.engine.execute(this.operation, key(key), call(() -> {
					insertEffect(key);
					inside.countDown();
					proceed.await(10, TimeUnit.SECONDS);
					return "first";
				}));
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(key), effect(key, "dup")))
			.isInstanceOf(IdempotencyInProgressException.class);
		proceed.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
		assertThat(effects(key)).isEqualTo(1);
	}

	@Test
	void aHandlersOwnTransactionJoinsTheGuardsAndALostLeaseRollsItBack() throws Throwable {
		String key = newKey();
		TransactionTemplate handlersOwn = new TransactionTemplate(this.transactionManager);
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(key), call(() -> handlersOwn.execute((s) -> {
			insertEffect(key);
			takeOver(key);
			return "first";
		})))).isInstanceOf(IdempotencyLeaseLostException.class);
		assertThat(effects(key)).as("the business write rolled back with the refused completion").isZero();
		assertThat(this.engine.claimsHeld()).isZero();
		// the new owner's claim is untouched: a duplicate still sees it in progress
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(key), effect(key, "dup")))
			.isInstanceOf(IdempotencyInProgressException.class);
	}

	@Test
	void aCallerTransactionIsJoinedAndTheCompletionCommitsOrRollsBackWithIt() throws Throwable {
		TransactionTemplate caller = new TransactionTemplate(this.transactionManager);
		String committed = newKey();
		caller.executeWithoutResult((status) -> run(committed, "kept"));
		assertThat(effects(committed)).isEqualTo(1);
		assertThat(this.engine.execute(this.operation, key(committed), effect(committed, "again"))).isEqualTo("kept");
		String rolledBack = newKey();
		caller.executeWithoutResult((status) -> {
			run(rolledBack, "lost");
			status.setRollbackOnly();
		});
		assertThat(effects(rolledBack)).isZero();
		assertThat(this.engine.execute(this.operation, key(rolledBack), effect(rolledBack, "retry"))).isEqualTo("retry");
		assertThat(effects(rolledBack)).isEqualTo(1);
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void nestedGuardedCallsCommitTogether() throws Throwable {
		String outer = newKey();
		String inner = newKey();
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(outer), call(() -> {
			insertEffect(outer);
			this.engine.execute(this.operation, key(inner), effect(inner, "inner"));
			throw new IllegalStateException("outer fails after the inner call returned");
		}))).hasMessageContaining("outer fails");
		assertThat(effects(outer) + effects(inner)).isZero();
		assertThat(this.engine.execute(this.operation, key(outer), call(() -> {
			insertEffect(outer);
			return this.engine.execute(this.operation, key(inner), effect(inner, "inner"));
		}))).isEqualTo("inner");
		assertThat(effects(outer)).isEqualTo(1);
		assertThat(effects(inner)).isEqualTo(1);
		assertThat(this.engine.claimsHeld()).isZero();
	}

	@Test
	void aRequiresNewTransactionInsideTheHandlerIsNotCoveredAndCommitsOnItsOwn() throws Throwable {
		String key = newKey();
		TransactionTemplate requiresNew = new TransactionTemplate(this.transactionManager);
		requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		assertThatThrownBy(() -> this.engine.execute(this.operation, key(key), call(() -> {
			requiresNew.executeWithoutResult((s) -> insertEffect(key));
			throw new IllegalStateException("boom");
		}))).hasMessage("boom");
		assertThat(effects(key)).as("documented: a REQUIRES_NEW write escapes the guard's transaction").isEqualTo(1);
	}

	@Test
	void aPoolWithAutoCommitOffKeepsTheClaimAndTheCompletion() throws Throwable {
		DataSource manual = TestDatabases.variant(dataSource(), "tx-autocommit-off", (c) -> c.setAutoCommit(false));
		JdbcIdempotencyStore manualStore = new JdbcIdempotencyStore(manual, TABLE, 65536);
		DataSourceTransactionManager manualTransactions = new DataSourceTransactionManager(manual);
		try (IdempotencyEngine manualEngine = new IdempotencyEngine(manualStore, IdempotencyObserver.NONE,
				new LeaseKeepAlive(manualStore, IdempotencyObserver.NONE), Duration.ofSeconds(5),
				new JdbcTransactionalCompletion(manualStore, manualTransactions))) {
			String key = newKey();
			JdbcTemplate manualJdbc = new JdbcTemplate(manual);
			assertThat(manualEngine.execute(this.operation, key(key), call(() -> {
				manualJdbc.update("INSERT INTO " + TransactionalTables.effects(TABLE) + " (msg_key) VALUES (?)", key);
				return "once";
			}))).isEqualTo("once");
			assertThat(effects(key)).isEqualTo(1);
			assertThat(this.engine.execute(this.operation, key(key), effect(key, "dup"))).isEqualTo("once");
			assertThat(effects(key)).isEqualTo(1);
		}
	}

	@Test
	void aTransactionManagerOnAnotherDataSourceIsRefused() {
		DataSource other = TestDatabases.variant(dataSource(), "tx-other", (c) -> c.setMaximumPoolSize(2));
		JdbcTransactionalCompletion wrong = new JdbcTransactionalCompletion(this.store,
				new DataSourceTransactionManager(other));
		assertThatThrownBy(wrong::verify).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("does not run its transactions on the idempotency store's DataSource");
	}

	private void run(String key, String result) {
		try {
			this.engine.execute(this.operation, key(key), effect(key, result));
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Makes the claim of {@code key} expire and takes it over with another token, as a second worker would. */
	private void takeOver(String key) {
		new TransactionTemplate(this.transactionManager) {
			{
				setPropagationBehavior(PROPAGATION_REQUIRES_NEW);
			}
		}.executeWithoutResult((s) -> this.jdbc.update("UPDATE " + TABLE + " SET expires_at = created_at WHERE state = 'PROCESSING'"));
		assertThat(this.store.tryAcquire(key(key), Duration.ofSeconds(30)).status())
			.isEqualTo(io.idempotent.store.AcquireResult.Status.ACQUIRED);
	}

	static IdempotentOperation operation(Duration lease, boolean commitWithTransaction) {
		return new IdempotentOperation("tx-op", "method", new IdempotencySettings(lease, Duration.ofMinutes(10), true,
				FailureMode.FAIL_CLOSED, PayloadMismatch.REPLAY, commitWithTransaction));
	}

	private IdempotencyKey key(String key) {
		return new IdempotencyKey(this.operation.name(), key);
	}

	private void insertEffect(String key) {
		this.jdbc.update("INSERT INTO " + TransactionalTables.effects(TABLE) + " (msg_key) VALUES (?)", key);
	}

	private int effects(String key) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM " + TransactionalTables.effects(TABLE) + " WHERE msg_key = ?",
				Integer.class, key);
	}

	private GuardedCall<String> effect(String key, String result) {
		return call(() -> {
			insertEffect(key);
			return result;
		});
	}

	private static String newKey() {
		return UUID.randomUUID().toString();
	}

	static GuardedCall<String> call(Work work) {
		return new GuardedCall<>() {

			@Override
			public String proceed() throws Throwable {
				return work.run();
			}

			@Override
			public byte[] encode(String result) {
				return result.getBytes(StandardCharsets.UTF_8);
			}

			@Override
			public String replay(byte[] stored) {
				return new String(stored, StandardCharsets.UTF_8);
			}

		};
	}

	@FunctionalInterface
	interface Work {

		String run() throws Throwable;

	}

}
