package io.idempotent.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.StringUtils;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;

/**
 * The Redis store, on the application's {@link RedisConnectionFactory}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(RedisConnectionFactory.class)
@Conditional(StoreTypeCondition.Redis.class)
class RedisStoreConfiguration {

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	RedisIdempotencyStore idempotencyStore(ObjectProvider<RedisConnectionFactory> connectionFactory,
			IdempotentProperties properties, Environment environment) {
		RedisConnectionFactory factory = connectionFactory.getIfUnique();
		if (factory == null) {
			throw new NoIdempotencyStoreException(StoreType.REDIS);
		}
		return new RedisIdempotencyStore(factory, keyPrefix(properties, environment));
	}

	static String keyPrefix(IdempotentProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.getKeyPrefix())) {
			return properties.getKeyPrefix();
		}
		return environment.getProperty("spring.application.name", "idempotent");
	}

}
