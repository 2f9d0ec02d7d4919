package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;

import io.idempotent.autoconfigure.IdempotentAutoConfigurationTests.Payments;
import io.idempotent.autoconfigure.IdempotentAutoConfigurationTests.PaymentsConfiguration;
import io.idempotent.cache.CaffeineNearCache;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.core.NearCache;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;

/**
 * The near cache as the auto-configuration builds it: off unless some operation enables it, globally or per
 * operation; on a real Redis store a duplicate is then answered without a store call and counted as
 * {@code level=near}; an eviction through the actuator endpoint clears this instance's entry.
 */
class NearCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				IdempotentStoreAutoConfiguration.class, IdempotentMetricsAutoConfiguration.class,
				IdempotentAutoConfiguration.class))
		.withUserConfiguration(RedisConfiguration.class, PaymentsConfiguration.class)
		.withPropertyValues("spring.application.name=near-" + UUID.randomUUID());

	@Test
	void offByDefaultEveryDuplicateGoesToTheStore() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(NearCache.class);
			assertThat(context.getBean(IdempotencyEngine.class).nearCache()).isSameAs(NearCache.NONE);
			assertThat(context.getBean(IdempotencySettingsResolver.class).settingsFor("Payments.pay").nearCache())
				.isFalse();
			String order = payTwice(context.getBean(Payments.class));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(acquires(registry)).isEqualTo(2);
			assertThat(duplicates(registry, "store")).isEqualTo(1);
			assertThat(duplicates(registry, "near")).isZero();
			assertThat(registry.find("idempotent.near-cache.size").gauge()).isNull();
			assertThat(order).isNotNull();
		});
	}

	@Test
	void enabledGloballyADuplicateOnRedisCostsNoStoreCallAndIsCountedAtTheNearLevel() {
		this.runner.withPropertyValues("idempotent.near-cache.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(CaffeineNearCache.class);
			assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
			assertThat(context.getBean(IdempotencySettingsResolver.class).settingsFor("any").nearCache()).isTrue();
			payTwice(context.getBean(Payments.class));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(acquires(registry)).isEqualTo(1);
			assertThat(duplicates(registry, "near")).isEqualTo(1);
			assertThat(duplicates(registry, "store")).isZero();
			assertThat(registry.get("idempotent.near-cache.size").gauge().value()).isEqualTo(1);
			assertThat(context.getBean(Payments.class).runs()).hasValue(1);
		});
	}

	@Test
	void perOperationOptInAndOptOut() {
		this.runner.withPropertyValues("idempotent.handlers.[Payments.pay].near-cache=true").run((context) -> {
			assertThat(context).hasSingleBean(NearCache.class);
			IdempotencySettingsResolver resolver = context.getBean(IdempotencySettingsResolver.class);
			assertThat(resolver.settingsFor("Payments.pay").nearCache()).isTrue();
			assertThat(resolver.settingsFor("other").nearCache()).isFalse();
			payTwice(context.getBean(Payments.class));
			assertThat(acquires(context.getBean(MeterRegistry.class))).isEqualTo(1);
		});
		this.runner
			.withPropertyValues("idempotent.near-cache.enabled=true", "idempotent.handlers.[Payments.pay].near-cache=false")
			.run((context) -> {
				IdempotencySettingsResolver resolver = context.getBean(IdempotencySettingsResolver.class);
				assertThat(resolver.settingsFor("Payments.pay").nearCache()).isFalse();
				assertThat(resolver.settingsFor("other").nearCache()).isTrue();
				payTwice(context.getBean(Payments.class));
				assertThat(acquires(context.getBean(MeterRegistry.class))).isEqualTo(2);
			});
		this.runner.withPropertyValues("idempotent.defaults.near-cache=true")
			.run((context) -> assertThat(context).hasSingleBean(NearCache.class));
	}

	@Test
	void theSizeAndResultBoundsBind() {
		this.runner
			.withPropertyValues("idempotent.near-cache.enabled=true", "idempotent.near-cache.maximum-size=5",
					"idempotent.near-cache.ttl=10s", "idempotent.near-cache.max-result-size=4B")
			.run((context) -> {
				IdempotentProperties.NearCache near = context.getBean(IdempotentProperties.class).getNearCache();
				assertThat(near.getMaximumSize()).isEqualTo(5);
				assertThat(near.getTtl()).isEqualTo(Duration.ofSeconds(10));
				// "paid order-..." is over 4 bytes: not kept, its duplicate goes to the store
				payTwice(context.getBean(Payments.class));
				assertThat(acquires(context.getBean(MeterRegistry.class))).isEqualTo(2);
				assertThat(context.getBean(NearCache.class).size()).isZero();
			});
	}

	@Test
	void withoutCaffeineThereIsNoNearCacheAndTheGuardStillWorks() {
		this.runner.withClassLoader(new FilteredClassLoader(Caffeine.class))
			.withPropertyValues("idempotent.near-cache.enabled=true")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(NearCache.class);
				payTwice(context.getBean(Payments.class));
				assertThat(context.getBean(Payments.class).runs()).hasValue(1);
			});
	}

	@Test
	void anEvictionThroughTheActuatorEndpointClearsThisInstancesEntry() {
		this.runner.withPropertyValues("idempotent.near-cache.enabled=true").run((context) -> {
			IdempotencyEngine engine = context.getBean(IdempotencyEngine.class);
			IdempotencyEndpoint endpoint = new IdempotencyEndpoint(engine, context.getBean(IdempotentMethodRegistry.class));
			Payments payments = context.getBean(Payments.class);
			String order = payTwice(payments);
			IdempotencyKey key = IdempotencyKey.of("Payments.pay", order);
			assertThat(engine.nearCache().find(key)).isNotNull();
			assertThat(endpoint.record("Payments.pay", order, null)).containsEntry("nearCached", true);
			assertThat(endpoint.evict("Payments.pay", order, null)).isEqualTo(Map.of("evicted", true));
			assertThat(engine.nearCache().find(key)).isNull();
			payments.pay(order);
			assertThat(payments.runs()).hasValue(2);
		});
	}

	private static String payTwice(Payments payments) {
		String order = "order-" + UUID.randomUUID();
		payments.pay(order);
		payments.pay(order);
		return order;
	}

	private static long acquires(MeterRegistry registry) {
		return registry.get("idempotent.store.operations").tag("operation", "acquire").tag("outcome", "success").timer().count();
	}

	private static double duplicates(MeterRegistry registry, String level) {
		return registry.get("idempotent.duplicates")
			.tag("name", "Payments.pay")
			.tag("state", "completed")
			.tag("level", level)
			.counter()
			.count();
	}

	@Configuration(proxyBeanMethods = false)
	static class RedisConfiguration {

		@Bean
		LettuceConnectionFactory redisConnectionFactory() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		}

	}

}
