package io.idempotent.autoconfigure;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotatedTypeMetadata;

import io.idempotent.cache.CaffeineNearCache;
import io.idempotent.core.NearCache;
import io.idempotent.metrics.NearCacheMeters;

/**
 * The near cache of completed keys ({@code idempotent.near-cache.*}), built only when some operation may use it:
 * {@code idempotent.near-cache.enabled}, {@code idempotent.defaults.near-cache} or any
 * {@code idempotent.handlers.[name].near-cache} is true.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(Caffeine.class)
@Conditional(NearCacheConfiguration.NearCacheUsed.class)
class NearCacheConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	NearCache idempotencyNearCache(IdempotentProperties properties,
			ObjectProvider<IdempotentObservationAutoConfiguration.TraceIdSource> traceIds) {
		IdempotentProperties.NearCache near = properties.getNearCache();
		IdempotentObservationAutoConfiguration.TraceIdSource traceId = traceIds.getIfAvailable();
		int maxResultSize = (int) Math.min(Integer.MAX_VALUE, near.getMaxResultSize().toBytes());
		return new CaffeineNearCache(near.getMaximumSize(), near.getTtl(), maxResultSize,
				(traceId != null) ? traceId::currentTraceId : null);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class Meters {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		NearCacheMeters idempotencyNearCacheMeters(NearCache nearCache) {
			return new NearCacheMeters(nearCache);
		}

	}

	/** Whether any operation may use the near cache, as the properties say. */
	static class NearCacheUsed extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			IdempotentProperties properties = Binder.get(context.getEnvironment())
				.bind("idempotent", Bindable.ofInstance(new IdempotentProperties()))
				.orElseGet(IdempotentProperties::new);
			if (properties.getNearCache().isEnabled()) {
				return ConditionOutcome.match("idempotent.near-cache.enabled is true");
			}
			if (Boolean.TRUE.equals(properties.getDefaults().getNearCache())) {
				return ConditionOutcome.match("idempotent.defaults.near-cache is true");
			}
			boolean handler = properties.getHandlers()
				.values()
				.stream()
				.anyMatch((operation) -> Boolean.TRUE.equals(operation.getNearCache()));
			return handler ? ConditionOutcome.match("an idempotent.handlers entry sets near-cache true")
					: ConditionOutcome.noMatch("no operation uses the near cache");
		}

	}

}
