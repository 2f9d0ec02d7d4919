package io.idempotent.autoconfigure;

import java.util.Locale;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Picks a store the way {@code spring.cache.type} picks a cache: the type named by
 * {@code idempotent.store.type}, or, when unset, the first whose infrastructure bean exists (Redis, then
 * JDBC), else memory. Evaluated when beans are registered, after Boot's Redis and DataSource
 * auto-configurations.
 */
abstract class StoreTypeCondition extends SpringBootCondition implements ConfigurationCondition {

	private final StoreType type;

	private final String infrastructureType;

	StoreTypeCondition(StoreType type, String infrastructureType) {
		this.type = type;
		this.infrastructureType = infrastructureType;
	}

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String configured = context.getEnvironment().getProperty("idempotent.store.type");
		if (configured != null && !configured.isBlank()) {
			boolean chosen = configured.trim().replace('-', '_').toUpperCase(Locale.ROOT).equals(this.type.name());
			return new ConditionOutcome(chosen, "idempotent.store.type is " + configured);
		}
		if (this.infrastructureType == null) {
			return ConditionOutcome.match("no store type configured; in-memory is the fallback");
		}
		ClassLoader classLoader = context.getClassLoader();
		if (!ClassUtils.isPresent(this.infrastructureType, classLoader) || context.getBeanFactory() == null) {
			return ConditionOutcome.noMatch(this.infrastructureType + " is not on the classpath");
		}
		Class<?> infrastructure = ClassUtils.resolveClassName(this.infrastructureType, classLoader);
		String[] beans = context.getBeanFactory().getBeanNamesForType(infrastructure, true, false);
		return new ConditionOutcome(beans.length > 0, "found " + beans.length + " " + this.infrastructureType + " beans");
	}

	static final class Redis extends StoreTypeCondition {

		Redis() {
			super(StoreType.REDIS, "org.springframework.data.redis.connection.RedisConnectionFactory");
		}

	}

	static final class Jdbc extends StoreTypeCondition {

		Jdbc() {
			super(StoreType.JDBC, "javax.sql.DataSource");
		}

	}

	static final class Memory extends StoreTypeCondition {

		Memory() {
			super(StoreType.MEMORY, null);
		}

	}

}
