package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.idempotent.annotation.Idempotent;
import io.idempotent.aop.IdempotentAdvisor;
import io.idempotent.core.FailureMode;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.IdempotencyStoreDecorator;
import io.idempotent.metrics.MicrometerIdempotencyObserver;
import io.idempotent.metrics.TimedIdempotencyStore;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;
import io.idempotent.testsupport.TestServers;

class IdempotentAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class,
				IdempotentMetricsAutoConfiguration.class, IdempotentAutoConfiguration.class));

	@Test
	void withoutRedisOrADataSourceTheInMemoryStoreGuardsAnnotatedBeans() {
		this.runner.withUserConfiguration(PaymentsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class)
				.hasSingleBean(IdempotencyEngine.class)
				.hasSingleBean(IdempotentAdvisor.class);
			Payments payments = context.getBean(Payments.class);
			payments.pay("order-1");
			payments.pay("order-1");
			assertThat(payments.runs()).hasValue(1);
		});
	}

	@Test
	void aRedisConnectionFactoryMakesTheRedisStoreWithTheApplicationNameAsPrefix() {
		this.runner.withUserConfiguration(RedisConfiguration.class, PaymentsConfiguration.class)
			.withPropertyValues("spring.application.name=shop")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
				Payments payments = context.getBean(Payments.class);
				String order = "order-" + System.nanoTime();
				payments.pay(order);
				payments.pay(order);
				assertThat(payments.runs()).hasValue(1);
				var redis = new org.springframework.data.redis.core.StringRedisTemplate(
						context.getBean(RedisConnectionFactory.class));
				assertThat(redis.hasKey("shop:" + "Payments.pay".length() + ":Payments.pay:" + order)).isTrue();
			});
	}

	@Test
	void aDataSourceMakesTheJdbcStoreAndAnEmbeddedDatabaseGetsItsTable() {
		this.runner.withUserConfiguration(H2Configuration.class, PaymentsConfiguration.class)
			.withPropertyValues("idempotent.store.jdbc.table-name=payments_idempotency")
			.run((context) -> {
				assertThat(context).hasSingleBean(JdbcIdempotencyStore.class)
					.hasSingleBean(JdbcExpiredRecordPurger.class);
				Payments payments = context.getBean(Payments.class);
				payments.pay("order-1");
				payments.pay("order-1");
				assertThat(payments.runs()).hasValue(1);
				assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForObject("SELECT COUNT(*) FROM payments_idempotency", Integer.class)).isEqualTo(1);
			});
	}

	@Test
	void redisIsPreferredWhenBothExistAndAnExplicitTypeWins() {
		this.runner.withUserConfiguration(RedisConfiguration.class, H2Configuration.class)
			.run((context) -> assertThat(context).hasSingleBean(RedisIdempotencyStore.class));
		this.runner.withUserConfiguration(RedisConfiguration.class, H2Configuration.class)
			.withPropertyValues("idempotent.store.type=jdbc")
			.run((context) -> assertThat(context).hasSingleBean(JdbcIdempotencyStore.class)
				.doesNotHaveBean(RedisIdempotencyStore.class));
		this.runner.withUserConfiguration(RedisConfiguration.class)
			.withPropertyValues("idempotent.store.type=memory")
			.run((context) -> assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class));
	}

	@Test
	void anExplicitTypeWithoutItsInfrastructureFailsWithAnExplanation() {
		this.runner.withPropertyValues("idempotent.store.type=redis").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'redis'").contains("RedisConnectionFactory");
			assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis");
		});
		this.runner.withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
			.withUserConfiguration(H2Configuration.class)
			.withPropertyValues("idempotent.store.type=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'jdbc'").contains("DataSource");
			});
	}

	@Test
	void aDatabaseWithoutTheTableFailsFastNamingTheScript() {
		this.runner.withUserConfiguration(H2Configuration.class)
			.withPropertyValues("idempotent.store.jdbc.initialize-schema=never",
					"idempotent.store.jdbc.table-name=missing_table")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("The idempotency table 'missing_table' is missing")
				.hasStackTraceContaining("schema-h2.sql"));
	}

	@Test
	void theUsersOwnBeansWin() {
		this.runner.withUserConfiguration(OwnStoreConfiguration.class, H2Configuration.class).run((context) -> {
			assertThat(context.getBean(IdempotencyStore.class)).isSameAs(OwnStoreConfiguration.STORE);
			assertThat(context).doesNotHaveBean(JdbcIdempotencyStore.class);
			assertThat(context.getBean(IdempotencySettingsResolver.class).settingsFor("x").lease())
				.isEqualTo(Duration.ofSeconds(7));
		});
	}

	@Test
	void missingOptionalLibrariesAreToleratedWithTheInMemoryStore() {
		this.runner
			.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class, JdbcTemplate.class,
					MeterRegistry.class))
			.withUserConfiguration(PaymentsConfiguration.class)
			.run((context) -> {
				// no meters without Micrometer; the duplicate summary log is the only observer
				assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class)
					.getBeans(IdempotencyObserver.class)
					.containsOnlyKeys("idempotencyDuplicateSummaryLogger");
				context.getBean(Payments.class).pay("order-1");
			});
	}

	@Test
	void theTransportAdaptersBackOffWithoutRocketMQOrSpringMvc() {
		ApplicationContextRunner everything = this.runner.withConfiguration(AutoConfigurations.of(
				IdempotentRocketMQAutoConfiguration.class, IdempotentWebAutoConfiguration.class));
		everything.withUserConfiguration(PaymentsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(io.idempotent.rocketmq.RocketMQInvocationAdapter.class)
				.doesNotHaveBean(io.idempotent.web.WebInvocationAdapter.class);
			context.getBean(Payments.class).pay("order-1");
		});
		everything
			.withClassLoader(new FilteredClassLoader(org.apache.rocketmq.spring.annotation.RocketMQMessageListener.class,
					org.springframework.web.servlet.DispatcherServlet.class))
			.withUserConfiguration(PaymentsConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(io.idempotent.rocketmq.RocketMQInvocationAdapter.class)
					.doesNotHaveBean(io.idempotent.rocketmq.MessageBindingListenerPostProcessor.class)
					.doesNotHaveBean(io.idempotent.web.WebInvocationAdapter.class);
				Payments payments = context.getBean(Payments.class);
				payments.pay("order-1");
				payments.pay("order-1");
				assertThat(payments.runs()).hasValue(1);
			});
		new org.springframework.boot.test.context.runner.WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class,
					IdempotentWebAutoConfiguration.class, IdempotentAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(io.idempotent.web.WebInvocationAdapter.class)
				.hasSingleBean(io.idempotent.web.IdempotentResponseFilter.class)
				.hasSingleBean(io.idempotent.web.IdempotencyScopeResolver.class)
				.hasSingleBean(io.idempotent.web.IdempotentExceptionResolver.class));
	}

	@Test
	void anObservationRegistryObservesEachCallBesideTheUnchangedMeters() {
		List<String> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
		this.runner.withConfiguration(AutoConfigurations.of(IdempotentObservationAutoConfiguration.class))
			.withUserConfiguration(MetricsConfiguration.class, PaymentsConfiguration.class)
			.withBean(io.micrometer.observation.ObservationRegistry.class, () -> {
				io.micrometer.observation.ObservationRegistry registry = io.micrometer.observation.ObservationRegistry
					.create();
				registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {

					@Override
					public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
						return true;
					}

					@Override
					public void onStop(io.micrometer.observation.Observation.Context context) {
						stopped.add(context.getName() + " " + context.getLowCardinalityKeyValues().stream()
							.map((value) -> value.getKey() + "=" + value.getValue())
							.sorted()
							.toList());
					}

				});
				return registry;
			})
			.run((context) -> {
				assertThat(context).hasSingleBean(io.idempotent.observation.IdempotencyObservations.class)
					.hasSingleBean(MicrometerIdempotencyObserver.class)
					.hasSingleBean(io.idempotent.observation.ObservationOutcomeObserver.class);
				Payments payments = context.getBean(Payments.class);
				payments.pay("order-1");
				payments.pay("order-1");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("idempotent.duplicates").tag("name", "Payments.pay").tag("state", "completed")
					.tag("level", "store")
					.counter().count()).isEqualTo(1);
				assertThat(stopped).containsExactly(
						"idempotent.store [idempotent.result=acquired, idempotent.store=memory, idempotent.transition=acquire]",
						"idempotent.store [idempotent.result=ok, idempotent.store=memory, idempotent.transition=complete]",
						"idempotent.execution [idempotent.name=Payments.pay, idempotent.outcome=executed, idempotent.source=method]",
						"idempotent.store [idempotent.result=completed, idempotent.store=memory, idempotent.transition=acquire]",
						"idempotent.execution [idempotent.name=Payments.pay, idempotent.outcome=replayed, idempotent.source=method]");
			});
	}

	@Test
	void withoutAnObservationRegistryNothingIsObserved() {
		this.runner.withConfiguration(AutoConfigurations.of(IdempotentObservationAutoConfiguration.class))
			.withUserConfiguration(PaymentsConfiguration.class)
			.run((context) -> assertThat(context)
				.doesNotHaveBean(io.idempotent.observation.IdempotencyObservations.class)
				.doesNotHaveBean(io.idempotent.observation.ObservationOutcomeObserver.class));
	}

	@Test
	void aMeterRegistryGetsTheMetersAndTimesTheStore() {
		this.runner.withUserConfiguration(MetricsConfiguration.class, PaymentsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(MicrometerIdempotencyObserver.class);
			assertThat(context.getBean(IdempotencyEngine.class).store()).isInstanceOf(TimedIdempotencyStore.class);
			Payments payments = context.getBean(Payments.class);
			payments.pay("order-1");
			payments.pay("order-1");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("idempotent.duplicates").tag("name", "Payments.pay").tag("state", "completed")
				.tag("level", "store")
				.counter().count()).isEqualTo(1);
			assertThat(registry.get("idempotent.executions").tag("outcome", "success").timer().count()).isEqualTo(1);
			assertThat(registry.get("idempotent.store.operations").tag("store", "memory").tag("operation", "acquire")
				.timer().count()).isEqualTo(2);
		});
	}

	@Test
	void settingsComeFromDefaultsAndPerOperationOverrides() {
		this.runner
			.withPropertyValues("idempotent.defaults.lease=30s", "idempotent.defaults.retention=2h",
					"idempotent.handlers.[Payments.pay].lease=5s", "idempotent.handlers.[Payments.pay].keep-alive=false",
					"idempotent.store.failure-mode=fail-open")
			.run((context) -> {
				IdempotencySettingsResolver resolver = context.getBean(IdempotencySettingsResolver.class);
				assertThat(resolver.settingsFor("Payments.pay")).isEqualTo(new IdempotencySettings(
						Duration.ofSeconds(5), Duration.ofHours(2), false, FailureMode.FAIL_OPEN));
				assertThat(resolver.settingsFor("other")).isEqualTo(new IdempotencySettings(Duration.ofSeconds(30),
						Duration.ofHours(2), true, FailureMode.FAIL_OPEN));
			});
	}

	@Test
	void payloadMismatchAndCompletionRetrySettingsBind() {
		this.runner
			.withPropertyValues("idempotent.handlers.[strict].on-payload-mismatch=refuse",
					"idempotent.completion-retry-limit=90s")
			.run((context) -> {
				IdempotencySettingsResolver resolver = context.getBean(IdempotencySettingsResolver.class);
				assertThat(resolver.settingsFor("strict").payloadMismatch()).isEqualTo(PayloadMismatch.REFUSE);
				assertThat(resolver.settingsFor("other").payloadMismatch()).isEqualTo(PayloadMismatch.REPLAY);
				assertThat(context.getBean(IdempotentProperties.class).getCompletionRetryLimit())
					.isEqualTo(Duration.ofSeconds(90));
				assertThat(context).hasSingleBean(IdempotencyGracefulShutdown.class);
			});
	}

	@Test
	void theStoreIsDecoratedOnceAndTheKeepAliveRenewsThroughTheSameChain() {
		AtomicInteger decorations = new AtomicInteger();
		this.runner.withBean(SimpleMeterRegistry.class)
			.withBean(IdempotencyStoreDecorator.class, () -> (store) -> {
				decorations.incrementAndGet();
				return store;
			})
			.run((context) -> {
				assertThat(decorations).hasValue(1);
				IdempotencyStore store = context.getBean(IdempotencyEngine.class).store();
				assertThat(store).isInstanceOf(TimedIdempotencyStore.class);
				assertThat(((TimedIdempotencyStore) store).delegate()).isNotInstanceOf(TimedIdempotencyStore.class);
			});
	}

	@Test
	void disabledMeansNoGuard() {
		this.runner.withUserConfiguration(PaymentsConfiguration.class)
			.withPropertyValues("idempotent.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(IdempotencyEngine.class).doesNotHaveBean(IdempotencyStore.class);
				Payments payments = context.getBean(Payments.class);
				payments.pay("order-1");
				payments.pay("order-1");
				assertThat(payments.runs()).hasValue(2);
			});
	}

	@Test
	void anInvalidKeyExpressionFailsStartUpNamingTheMethod() {
		this.runner.withUserConfiguration(BadConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(BadPayments.class.getName() + ".pay")
				.hasMessageContaining("'#orderId +'"));
	}

	@Test
	void aRedisOutageFailsTheCallClosedByDefaultAndNothingRuns() {
		this.runner.withUserConfiguration(DownRedisConfiguration.class, PaymentsConfiguration.class,
				MetricsConfiguration.class).run((context) -> {
					Payments payments = context.getBean(Payments.class);
					assertThatThrownBy(() -> payments.pay("order-1")).isInstanceOf(IdempotencyStoreException.class);
					assertThat(payments.runs()).hasValue(0);
				});
	}

	@Test
	void aRedisOutageRunsTheCallUnguardedWhenFailOpenAndCountsIt() {
		this.runner.withUserConfiguration(DownRedisConfiguration.class, PaymentsConfiguration.class,
				MetricsConfiguration.class)
			.withPropertyValues("idempotent.handlers.[Payments.pay].failure-mode=fail-open")
			.run((context) -> {
				Payments payments = context.getBean(Payments.class);
				payments.pay("order-1");
				assertThat(payments.runs()).hasValue(1);
				assertThat(context.getBean(MeterRegistry.class).get("idempotent.unguarded").counter().count())
					.isEqualTo(1);
			});
	}

	public static class Payments {

		private final AtomicInteger runs = new AtomicInteger();

		@Idempotent(key = "#orderId")
		public String pay(String orderId) {
			this.runs.incrementAndGet();
			return "paid " + orderId;
		}

		public AtomicInteger runs() {
			return this.runs;
		}

	}

	static class BadPayments {

		@Idempotent(key = "#orderId +")
		public void pay(String orderId) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PaymentsConfiguration {

		@Bean
		Payments payments() {
			return new Payments();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadConfiguration {

		@Bean
		BadPayments badPayments() {
			return new BadPayments();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RedisConfiguration {

		@Bean
		LettuceConnectionFactory redisConnectionFactory() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DownRedisConfiguration {

		@Bean
		LettuceConnectionFactory redisConnectionFactory() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", TestServers.freePort()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class H2Configuration {

		@Bean
		DataSource dataSource() {
			return new SimpleDriverDataSource(new org.h2.Driver(),
					"jdbc:h2:mem:autoconfig-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MetricsConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnStoreConfiguration {

		static final IdempotencyStore STORE = new InMemoryIdempotencyStore();

		@Bean
		IdempotencyStore myStore() {
			return STORE;
		}

		@Bean
		IdempotencySettingsResolver mySettings() {
			return (name) -> new IdempotencySettings(Duration.ofSeconds(7), Duration.ofHours(1), true,
					FailureMode.FAIL_CLOSED);
		}

	}

}
