package io.idempotent.benchmarks;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
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
import io.idempotent.metrics.MicrometerIdempotencyObserver;
import io.idempotent.metrics.TimedIdempotencyStore;
import io.idempotent.observation.DuplicateSummaryLogger;
import io.idempotent.observation.IdempotencyObservations;
import io.idempotent.store.IdempotencyStore;

/**
 * A no-op method, bare and behind the whole guard as a Boot application with Micrometer gets it: the AOP
 * proxy, the SpEL key, the engine with keep-alive, the meters, the duplicate summary log and the timed store.
 */
public class GuardedHandler {

	/** The guard under measurement. */
	@Idempotent(key = "#id")
	public void handle(String id) {
		// the work itself costs nothing: what is measured is the guard
	}

	static GuardedHandler bare() {
		return new GuardedHandler();
	}

	static GuardedHandler guarded(IdempotencyStore store, Duration retention) {
		return guarded(store, retention, null);
	}

	/**
	 * The guard with an observation registry as the auto-configuration wires one: {@link ObservationRegistry#NOOP}
	 * (or a registry without handlers) must cost nothing on top of the meters.
	 */
	static GuardedHandler guarded(IdempotencyStore store, Duration retention, ObservationRegistry observations) {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		// as the auto-configuration composes them: the meters and the duplicate summary log
		IdempotencyObserver observer = IdempotencyObserver.of(List.of(new MicrometerIdempotencyObserver(meters),
				new DuplicateSummaryLogger(Duration.ofMinutes(1))));
		IdempotencyStore timed = new TimedIdempotencyStore(store, meters);
		IdempotencySettings settings = new IdempotencySettings(Duration.ofMinutes(1), retention, true,
				FailureMode.FAIL_CLOSED);
		IdempotencyEngine engine = new IdempotencyEngine(timed, observer, new LeaseKeepAlive(timed, observer));
		IdempotentMethodRegistry registry = new IdempotentMethodRegistry((name) -> settings, List.of());
		registry.register(GuardedHandler.class);
		ProxyFactory proxy = new ProxyFactory(new GuardedHandler());
		proxy.setProxyTargetClass(true);
		JacksonResultCodec codec = new JacksonResultCodec();
		IdempotencyObservations observed = (observations != null)
				? new IdempotencyObservations(observations, null, false) : IdempotencyObservations.NONE;
		proxy.addAdvisor(new IdempotentAdvisor(
				new IdempotentMethodInterceptor(() -> engine, () -> registry, () -> codec, () -> observed)));
		return (GuardedHandler) proxy.getProxy();
	}

}
