package io.idempotent.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

import io.micrometer.core.instrument.MeterRegistry;

import io.idempotent.core.IdempotencyObserver;
import io.idempotent.metrics.MicrometerIdempotencyObserver;
import io.idempotent.metrics.TimedIdempotencyStore;
import io.idempotent.store.IdempotencyStoreDecorator;

/**
 * Micrometer meters for idempotent: duplicates, executions, fencing, fail-open passes and store latency,
 * visible at {@code /actuator/metrics}.
 */
@AutoConfiguration(before = IdempotentAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
public final class IdempotentMetricsAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean(IdempotencyObserver.class)
	MicrometerIdempotencyObserver idempotencyObserver(MeterRegistry registry) {
		return new MicrometerIdempotencyObserver(registry);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyStoreDecorator idempotencyStoreTimer(MeterRegistry registry) {
		return (store) -> new TimedIdempotencyStore(store, registry);
	}

}
