package io.idempotent.autoconfigure.rocketmq;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The guard on the in-memory store. The store is one instance shared by the applications a test starts, as
 * if they were one process restarted.
 */
class InMemoryStoreRocketMQGuardTests extends RocketMQGuardTests {

	static final InMemoryIdempotencyStore STORE = new InMemoryIdempotencyStore();

	@Override
	List<String> storeProperties() {
		return List.of("idempotent.store.type=memory");
	}

	@Override
	List<Class<?>> storeConfiguration() {
		return List.of(SharedStore.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class SharedStore {

		@Bean
		IdempotencyStore sharedInMemoryStore() {
			return STORE;
		}

	}

}
