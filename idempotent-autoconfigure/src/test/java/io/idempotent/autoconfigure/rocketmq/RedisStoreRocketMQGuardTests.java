package io.idempotent.autoconfigure.rocketmq;

import java.util.List;

import io.idempotent.testsupport.TestRedis;

/**
 * The guard on a real Redis server: the applications a test starts share it as separate instances would.
 */
class RedisStoreRocketMQGuardTests extends RocketMQGuardTests {

	@Override
	List<String> storeProperties() {
		return List.of("idempotent.store.type=redis", "spring.data.redis.host=" + TestRedis.host(),
				"spring.data.redis.port=" + TestRedis.port());
	}

}
