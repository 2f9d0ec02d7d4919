package io.idempotent.autoconfigure;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * The JDBC store's purge backlog as a gauge, {@code idempotent.store.expired.records{store=jdbc}}: rows whose
 * lease or retention ended and that the purge has not deleted yet. It stays near zero when the purge keeps up;
 * a steady climb means it does not. Each read is one indexed {@code COUNT(*)} over the expired rows.
 */
public final class JdbcStoreMetrics implements MeterBinder {

	private static final Logger logger = LoggerFactory.getLogger(JdbcStoreMetrics.class);

	private final ObjectProvider<JdbcIdempotencyStore> store;

	JdbcStoreMetrics(ObjectProvider<JdbcIdempotencyStore> store) {
		this.store = store;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		JdbcIdempotencyStore jdbc = this.store.getIfAvailable();
		if (jdbc == null) {
			return;
		}
		Gauge.builder("idempotent.store.expired.records", jdbc, JdbcStoreMetrics::expired)
			.description("Idempotency records whose lease or retention ended and that the purge has not deleted yet")
			.tag("store", "jdbc")
			.baseUnit("records")
			.register(registry);
	}

	private static double expired(JdbcIdempotencyStore jdbc) {
		try {
			return jdbc.countExpired();
		}
		catch (RuntimeException ex) {
			logger.warn("Counting expired idempotency records failed", ex);
			return Double.NaN;
		}
	}

}
