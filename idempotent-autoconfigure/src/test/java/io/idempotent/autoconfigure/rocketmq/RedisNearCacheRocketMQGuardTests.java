package io.idempotent.autoconfigure.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import io.idempotent.testsupport.TestRedis;

/**
 * The guard on a real Redis server with the near cache on: every RocketMQ behaviour holds as with the store
 * alone, and a resent message of a key this instance completed is answered from the cache (the listener
 * returns normally, so the message is acknowledged) and counted at the {@code near} level.
 */
class RedisNearCacheRocketMQGuardTests extends RocketMQGuardTests {

	@Override
	List<String> storeProperties() {
		return List.of("idempotent.store.type=redis", "spring.data.redis.host=" + TestRedis.host(),
				"spring.data.redis.port=" + TestRedis.port(), "idempotent.near-cache.enabled=true");
	}

	@Test
	void aResentMessageOfAKeyThisInstanceCompletedIsAnsweredFromTheNearCacheAndAcknowledged() {
		ConfigurableApplicationContext app = start(CouponListener.class);
		send(app, new OrderPaid("order-near", "user-1"), "order-near", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("coupon", "order-near") == 1);
		for (int i = 0; i < 3; i++) {
			send(app, new OrderPaid("order-near", "user-1"), "order-near", null);
		}
		await().atMost(Duration.ofSeconds(90)).until(() -> nearDuplicates(app) >= 3);
		assertThat(effects("coupon", "order-near")).isEqualTo(1);
		assertThat(runs("coupon", "order-near")).isEqualTo(1);
	}

	private static double nearDuplicates(ConfigurableApplicationContext app) {
		return Search.in(app.getBean(MeterRegistry.class))
			.name("idempotent.duplicates")
			.tag("state", "completed")
			.tag("level", "near")
			.counters()
			.stream()
			.mapToDouble((c) -> c.count())
			.sum();
	}

}
