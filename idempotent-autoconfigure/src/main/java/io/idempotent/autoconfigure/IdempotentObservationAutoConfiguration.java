package io.idempotent.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;

import io.idempotent.observation.IdempotencyObservationConvention;
import io.idempotent.observation.IdempotencyObservations;
import io.idempotent.observation.ObservationOutcomeObserver;
import io.idempotent.observation.ObservedIdempotencyStore;
import io.idempotent.store.IdempotencyStoreDecorator;

/**
 * Micrometer Observations for idempotent: each guarded call is an {@code idempotent.execution} observation with
 * its store round trips as {@code idempotent.store} children; with Micrometer Tracing, completions record the
 * trace id so that replays link to their original. The meters of {@link IdempotentMetricsAutoConfiguration}
 * are independent of these and keep their names and tags.
 */
@AutoConfiguration(before = IdempotentAutoConfiguration.class, after = IdempotentMetricsAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
				"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
public final class IdempotentObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyObservations idempotencyObservations(ObservationRegistry registry,
			ObjectProvider<IdempotencyObservationConvention> convention, IdempotentProperties properties) {
		return new IdempotencyObservations(registry, convention.getIfAvailable(),
				properties.getObservation().isKeyHash());
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	ObservationOutcomeObserver idempotencyObservationOutcomes(ObservationRegistry registry) {
		return new ObservationOutcomeObserver(registry);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyStoreDecorator idempotencyStoreObservation(ObservationRegistry registry,
			ObjectProvider<TraceIdSource> traceIds) {
		TraceIdSource source = traceIds.getIfAvailable();
		return (store) -> new ObservedIdempotencyStore(store, registry, (source != null) ? source::currentTraceId : null);
	}

	/** The current trace id, from Micrometer Tracing. */
	@FunctionalInterface
	interface TraceIdSource {

		String currentTraceId();

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Tracer.class)
	static class TracingConfiguration {

		/** The tracer is looked up at the first completion, so this does not depend on auto-configuration order. */
		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		TraceIdSource idempotencyTraceIds(ObjectProvider<Tracer> tracers) {
			SingletonSupplier<Tracer> tracer = SingletonSupplier.of(() -> tracers.getIfAvailable(() -> Tracer.NOOP));
			return () -> {
				Span span = tracer.obtain().currentSpan();
				return (span != null) ? span.context().traceId() : null;
			};
		}

	}

}
