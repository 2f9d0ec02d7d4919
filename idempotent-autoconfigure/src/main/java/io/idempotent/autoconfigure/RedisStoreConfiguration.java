package io.idempotent.autoconfigure;

import org.springframework.beans.factory.ListableBeanFactory;
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
 * The Redis store, on the application's {@link RedisConnectionFactory} (the one named by
 * {@code idempotent.store.redis.connection-factory}, else the only or primary one).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(RedisConnectionFactory.class)
@Conditional(StoreTypeCondition.Redis.class)
class RedisStoreConfiguration {

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	RedisIdempotencyStore idempotencyStore(ListableBeanFactory beans, IdempotentProperties properties,
			Environment environment) {
		RedisConnectionFactory factory = StoreInfrastructure.pick(beans, RedisConnectionFactory.class,
				properties.getStore().getRedis().getConnectionFactory(), "idempotent.store.redis.connection-factory",
				StoreType.REDIS);
		return new RedisIdempotencyStore(factory, keyPrefix(properties, environment),
				Math.min(RedisIdempotencyStore.REDIS_MAX_RESULT_SIZE, properties.getStore().maxResultBytes(null)));
	}

	static String keyPrefix(IdempotentProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.getKeyPrefix())) {
			return properties.getKeyPrefix();
		}
		return environment.getProperty("spring.application.name", "idempotent");
	}

}
