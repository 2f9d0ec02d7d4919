package io.idempotent.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The in-memory store: chosen explicitly, or the fallback when neither Redis nor a DataSource is available.
 * Bounded by {@code idempotent.store.memory.maximum-size}; its background sweeper stops with the context.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(StoreTypeCondition.Memory.class)
class MemoryStoreConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(MemoryStoreConfiguration.class);

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	InMemoryIdempotencyStore idempotencyStore(IdempotentProperties properties) {
		if (properties.getStore().getType() == null) {
			logger.warn("idempotent is using the in-memory store: duplicates are only recognised within this JVM, "
					+ "not across instances. Add Redis or a DataSource, or set idempotent.store.type=memory to "
					+ "silence this warning");
		}
		return new InMemoryIdempotencyStore(properties.getStore().getMemory().getMaximumSize(),
				properties.getStore().maxResultBytes(null));
	}

}
