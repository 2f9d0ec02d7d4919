package io.idempotent.autoconfigure;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * Deletes expired rows of the JDBC store every {@code idempotent.store.jdbc.purge.interval}, in batches of
 * {@code batch-size} rows, each a short statement and transaction of its own, so the table is never locked for
 * long; each run continues until no expired row is left, so the purge keeps up with any steady insert rate the
 * store can take. Runs on one daemon thread while the application context runs.
 */
public final class JdbcExpiredRecordPurger implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(JdbcExpiredRecordPurger.class);

	private final ObjectProvider<JdbcIdempotencyStore> store;

	private final IdempotentProperties.Purge settings;

	private ScheduledExecutorService scheduler;

	JdbcExpiredRecordPurger(ObjectProvider<JdbcIdempotencyStore> store, IdempotentProperties.Purge settings) {
		this.store = store;
		this.settings = settings;
	}

	@Override
	public synchronized void start() {
		JdbcIdempotencyStore jdbc = this.store.getIfAvailable();
		if (jdbc == null || this.scheduler != null) {
			return;
		}
		long interval = Math.max(1, this.settings.getInterval().toMillis());
		this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "idempotent-purge");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(() -> purge(jdbc), interval, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * Runs one purge now.
	 * @param jdbc the store
	 * @return rows deleted
	 */
	long purge(JdbcIdempotencyStore jdbc) {
		try {
			long deleted = jdbc.purgeExpired(this.settings.getBatchSize());
			logger.debug("Purged {} expired idempotency records", deleted);
			return deleted;
		}
		catch (RuntimeException ex) {
			logger.warn("Purging expired idempotency records failed; will retry", ex);
			return 0;
		}
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

}
