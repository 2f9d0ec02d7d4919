package io.idempotent.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.idempotent.core.FailureMode;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyStoreException;

/**
 * A call run unguarded (the store failed, fail-open) that throws is a span error like any call that throws; its
 * outcome stays {@code unguarded}.
 */
class UnguardedFailureObservationTests {

	private final ObservationRegistry registry = ObservationRegistry.create();

	private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();


	private LeaseKeepAlive keepAlive;

	@AfterEach
	void close() {
		if (this.keepAlive != null) {
			this.keepAlive.close();
		}
	}

	@Test
	void anUnguardedCallThatThrowsIsASpanError() {
		this.registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStop(Observation.Context context) {
				UnguardedFailureObservationTests.this.stopped.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof IdempotencyObservationContext;
			}

		});
		ObservationOutcomeObserver outcomes = new ObservationOutcomeObserver(this.registry);
		ObservedIdempotencyStore down = new ObservedIdempotencyStore(new DownStore(), this.registry, null);
		this.keepAlive = new LeaseKeepAlive(down, outcomes);
		IdempotencyEngine engine = new IdempotencyEngine(down, outcomes, this.keepAlive);
		IdempotencyObservations observations = new IdempotencyObservations(this.registry, null, false);
		IdempotentOperation operation = new IdempotentOperation("op", "method", new IdempotencySettings(
				Duration.ofMinutes(1), Duration.ofHours(1), true, FailureMode.FAIL_OPEN));
		IllegalStateException boom = new IllegalStateException("boom");
		assertThatThrownBy(() -> observations.observe(operation,
				() -> engine.execute(operation, IdempotencyKey.of("op", "k"), new Throwing(boom))))
			.isSameAs(boom);
		assertThat(this.stopped).hasSize(1);
		IdempotencyObservationContext context = (IdempotencyObservationContext) this.stopped.get(0);
		assertThat(context.getOutcome()).isEqualTo("unguarded");
		assertThat(context.getError()).isSameAs(boom);
	}

	private static final class Throwing implements GuardedCall<String> {

		private final RuntimeException failure;

		Throwing(RuntimeException failure) {
			this.failure = failure;
		}

		@Override
		public String proceed() {
			throw this.failure;
		}

		@Override
		public byte[] encode(String value) {
			return new byte[0];
		}

		@Override
		public String replay(byte[] stored) {
			return "";
		}

	}

	private static final class DownStore implements io.idempotent.store.IdempotencyStore {

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
			throw new IdempotencyStoreException("down");
		}

		@Override
		public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
			throw new IdempotencyStoreException("down");
		}

		@Override
		public boolean release(IdempotencyKey key, String token) {
			throw new IdempotencyStoreException("down");
		}

		@Override
		public boolean renew(IdempotencyKey key, String token, Duration lease) {
			throw new IdempotencyStoreException("down");
		}

		@Override
		public java.util.Optional<io.idempotent.store.IdempotencyRecord> find(IdempotencyKey key) {
			return java.util.Optional.empty();
		}

		@Override
		public boolean evict(IdempotencyKey key) {
			return false;
		}

		@Override
		public String type() {
			return "memory";
		}

	}

}
