package io.idempotent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.RegistrationCountingMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;

import io.idempotent.annotation.Idempotent;
import io.idempotent.aop.IdempotentAdvisor;
import io.idempotent.aop.IdempotentMethodInterceptor;
import io.idempotent.codec.JacksonResultCodec;
import io.idempotent.core.FailureMode;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.observation.DuplicateSummaryLogger;
import io.idempotent.observation.IdempotencyObservations;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The guard's meters are registered once per operation, never looked up or registered again per call: after a
 * warm-up, a thousand first calls, duplicates and failing calls make no counter or timer registration at all
 * (a registration of a meter that already exists counts too). A correctness test, not a timed one.
 */
class MetersRegisteredOncePerOperationTests {

	@Test
	void aThousandCallsAfterWarmUpRegisterNoMeter() {
		RegistrationCountingMeterRegistry meters = new RegistrationCountingMeterRegistry();
		Payments payments = guarded(meters, null);
		exercise(payments, "warm-up");
		int registrations = meters.registrations();
		int created = meters.created();
		int meterCount = meters.getMeters().size();
		exercise(payments, "measured");
		assertThat(meters.registrations()).isEqualTo(registrations);
		assertThat(meters.created()).isEqualTo(created);
		assertThat(meters.getMeters()).hasSize(meterCount);
		assertThat(payments.runs()).isEqualTo(2 * 2 * 1000);
	}

	@Test
	void observationsWithANoopRegistryRegisterNoMeterPerCallEither() {
		RegistrationCountingMeterRegistry meters = new RegistrationCountingMeterRegistry();
		Payments payments = guarded(meters, ObservationRegistry.NOOP);
		exercise(payments, "warm-up");
		int registrations = meters.registrations();
		exercise(payments, "measured");
		assertThat(meters.registrations()).isEqualTo(registrations);
	}

	private static void exercise(Payments payments, String round) {
		for (int i = 0; i < 1000; i++) {
			String key = round + "-" + i;
			assertThat(payments.pay(key)).isEqualTo("paid " + key);
			assertThat(payments.pay(key)).isEqualTo("paid " + key); // a duplicate, replayed
			String failing = round + "-failing-" + i;
			assertThatThrownBy(() -> payments.fail(failing)).isInstanceOf(IllegalStateException.class);
		}
	}

	private static Payments guarded(RegistrationCountingMeterRegistry meters, ObservationRegistry observations) {
		IdempotencyObserver observer = IdempotencyObserver.of(List.of(new MicrometerIdempotencyObserver(meters),
				new DuplicateSummaryLogger(Duration.ofMinutes(1))));
		IdempotencyStore store = new TimedIdempotencyStore(new InMemoryIdempotencyStore(), meters);
		IdempotencySettings settings = new IdempotencySettings(Duration.ofMinutes(1), Duration.ofMinutes(10), true,
				FailureMode.FAIL_CLOSED);
		IdempotencyEngine engine = new IdempotencyEngine(store, observer, new LeaseKeepAlive(store, observer));
		IdempotentMethodRegistry registry = new IdempotentMethodRegistry((name) -> settings, List.of());
		registry.register(Payments.class);
		ProxyFactory proxy = new ProxyFactory(new Payments());
		proxy.setProxyTargetClass(true);
		JacksonResultCodec codec = new JacksonResultCodec();
		IdempotencyObservations observed = (observations != null)
				? new IdempotencyObservations(observations, null, false) : IdempotencyObservations.NONE;
		proxy.addAdvisor(new IdempotentAdvisor(
				new IdempotentMethodInterceptor(() -> engine, () -> registry, () -> codec, () -> observed)));
		return (Payments) proxy.getProxy();
	}

	/** Guarded methods under test. */
	public static class Payments {

		private int runs;

		public int runs() {
			return this.runs;
		}

		@Idempotent(key = "#id")
		public String pay(String id) {
			this.runs++;
			return "paid " + id;
		}

		@Idempotent(key = "'failing:' + #id")
		public String fail(String id) {
			this.runs++;
			throw new IllegalStateException("declined");
		}

	}

}
