package io.idempotent.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.transaction.JdbcTransactionalCompletion;

/**
 * The consumer the crash tests kill: a child JVM that drains an inbox table (the "broker": a message is
 * redelivered until it is acknowledged) through a guarded handler whose effect is one row in the effects table.
 * At the named kill point it prints {@code @@KILLPOINT} and parks until the parent kills it with SIGKILL; it
 * prints {@code @@ACK} per acknowledged message and {@code @@DONE} once the inbox is drained.
 *
 * <p>Arguments: mode ({@code transactional}: JDBC store, commit-with-transaction; {@code jdbc}: JDBC store,
 * separate completion; {@code redis}: Redis store, separate completion), JDBC URL, user, password, table, kill
 * point (or {@code none}), lease in milliseconds, Redis {@code host:port} (or {@code -}).
 */
public final class CrashConsumer {

	/** Points where the parent may kill; which exist depends on the mode. */
	static final List<String> TRANSACTIONAL_POINTS = List.of("after-write", "before-commit", "after-commit",
			"after-completion");

	static final List<String> SEPARATE_POINTS = List.of("after-write", "after-commit", "after-completion");

	private final String mode;

	private final String killPoint;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate handlerTransaction;

	private final IdempotencyEngine engine;

	private final IdempotentOperation operation;

	private final String table;

	private CrashConsumer(String[] args) {
		this.mode = args[0];
		this.table = args[4];
		this.killPoint = args[5];
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[1]);
		config.setUsername(args[2]);
		config.setPassword("-".equals(args[3]) ? null : args[3]);
		config.setMaximumPoolSize(4);
		HikariDataSource dataSource = new HikariDataSource(config);
		this.jdbc = new JdbcTemplate(dataSource);
		DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
		this.handlerTransaction = new TransactionTemplate(transactions);
		boolean transactional = "transactional".equals(this.mode);
		IdempotencyStore store;
		JdbcTransactionalCompletion completion = null;
		if ("redis".equals(this.mode)) {
			String[] hostPort = args[7].split(":");
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(hostPort[0], Integer.parseInt(hostPort[1])));
			factory.afterPropertiesSet();
			factory.start();
			store = new RedisIdempotencyStore(factory, this.table);
		}
		else {
			JdbcIdempotencyStore jdbcStore = new JdbcIdempotencyStore(dataSource, this.table, 65536);
			store = jdbcStore;
			completion = transactional ? new JdbcTransactionalCompletion(jdbcStore, transactions) : null;
		}
		this.engine = new IdempotencyEngine(store, IdempotencyObserver.NONE,
				new LeaseKeepAlive(store, IdempotencyObserver.NONE), Duration.ofMinutes(1), completion);
		this.operation = new IdempotentOperation("coupon", "method",
				new IdempotencySettings(Duration.ofMillis(Long.parseLong(args[6])), Duration.ofHours(1), true,
						FailureMode.FAIL_CLOSED, PayloadMismatch.REPLAY, transactional));
	}

	public static void main(String[] args) {
		new CrashConsumer(args).drain();
		signal("@@DONE");
		System.exit(0);
	}

	private void drain() {
		while (true) {
			List<Map<String, Object>> pending = this.jdbc.queryForList(
					"SELECT seq, msg_key FROM " + CrashTables.inbox(this.table) + " WHERE acked = 0 ORDER BY seq");
			if (pending.isEmpty()) {
				return;
			}
			boolean progressed = false;
			for (Map<String, Object> message : pending) {
				progressed |= deliver(((Number) message.get("seq")).intValue(), (String) message.get("msg_key"));
			}
			if (!progressed) {
				// the broker's redelivery delay: only keys held by a dead consumer's claim are left
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
			}
		}
	}

	private boolean deliver(int seq, String key) {
		try {
			this.engine.execute(this.operation, new IdempotencyKey(this.operation.name(), key), call(key));
		}
		catch (IdempotencyInProgressException ex) {
			return false; // not acknowledged: redelivered later
		}
		catch (Throwable ex) {
			System.err.println("delivery of " + key + " failed: " + ex);
			return false;
		}
		point("after-completion");
		this.jdbc.update("UPDATE " + CrashTables.inbox(this.table) + " SET acked = 1 WHERE seq = ?", seq);
		signal("@@ACK " + seq);
		return true;
	}

	private GuardedCall<String> call(String key) {
		return new GuardedCall<>() {

			@Override
			public String proceed() {
				return "transactional".equals(CrashConsumer.this.mode) ? inGuardsTransaction(key) : inOwnTransaction(key);
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

	/** Commit-with-transaction: the write joins the guard's transaction. */
	private String inGuardsTransaction(String key) {
		writeEffect(key);
		point("after-write");
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void beforeCompletion() {
				// after every beforeCommit, the completion included: the last moment before the commit
				point("before-commit");
			}

			@Override
			public void afterCommit() {
				point("after-commit");
			}

		});
		return "coupon for " + key;
	}

	/** The default modes: the handler's own transaction commits, then the guard completes separately. */
	private String inOwnTransaction(String key) {
		this.handlerTransaction.executeWithoutResult((status) -> {
			writeEffect(key);
			point("after-write");
		});
		point("after-commit");
		return "coupon for " + key;
	}

	private void writeEffect(String key) {
		this.jdbc.update("INSERT INTO " + TransactionalTables.effects(this.table) + " (msg_key) VALUES (?)", key);
	}

	private void point(String name) {
		if (name.equals(this.killPoint)) {
			signal("@@KILLPOINT " + name);
			while (true) {
				LockSupport.park(); // until SIGKILL
			}
		}
	}

	private static void signal(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
