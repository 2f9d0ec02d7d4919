package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult.Status;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestRedis;

/**
 * How the store auto-configuration picks its infrastructure and orders itself after the application's own
 * database initialization.
 */
class IdempotentStoreAutoConfigurationTests {

	private static final Class<?> DATA_SOURCE_INIT = DataSourceInitializationAutoConfiguration.class;

	private static final Class<?> FLYWAY = FlywayAutoConfiguration.class;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class));

	@Test
	void aTableCreatedBySpringSqlInitIsUsedWithTheDefaultInitializeSchema() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withConfiguration(AutoConfigurations.of(DATA_SOURCE_INIT))
			.withPropertyValues("spring.sql.init.mode=always",
					"spring.sql.init.schema-locations=classpath:idempotent-sql-init/schema.sql")
			.run((context) -> assertWorks(context.getBean(JdbcIdempotencyStore.class)));
	}

	@Test
	void aTableCreatedBySpringSqlInitIsFoundWithInitializeSchemaNever() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withConfiguration(AutoConfigurations.of(DATA_SOURCE_INIT))
			.withPropertyValues("spring.sql.init.mode=always",
					"spring.sql.init.schema-locations=classpath:idempotent-sql-init/schema.sql",
					"idempotent.store.jdbc.initialize-schema=never")
			.run((context) -> assertWorks(context.getBean(JdbcIdempotencyStore.class)));
	}

	@Test
	void aTableCreatedByFlywayIsUsedWithTheDefaultInitializeSchema() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withConfiguration(AutoConfigurations.of(FLYWAY))
			.withPropertyValues("spring.flyway.locations=classpath:idempotent-flyway")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertWorks(context.getBean(JdbcIdempotencyStore.class));
			});
		this.runner.withUserConfiguration(OneDataSource.class)
			.withConfiguration(AutoConfigurations.of(FLYWAY))
			.withPropertyValues("spring.flyway.locations=classpath:idempotent-flyway",
					"idempotent.store.jdbc.initialize-schema=never")
			.run((context) -> assertWorks(context.getBean(JdbcIdempotencyStore.class)));
	}

	@Test
	void aSchemaQualifiedTableIsCreatedAndUsed() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.jdbc.table-name=PUBLIC.qualified_records")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertWorks(context.getBean(JdbcIdempotencyStore.class));
				assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForObject("SELECT COUNT(*) FROM PUBLIC.qualified_records", Integer.class)).isEqualTo(1);
			});
	}

	@Test
	void aSchemaScriptErrorFailsStartUpWithTheDatabasesMessage() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.jdbc.table-name=no_such_schema.idem")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to execute SQL script statement #1")
				.hasStackTraceContaining("NO_SUCH_SCHEMA")
				.hasStackTraceContaining("schema-h2.sql"));
	}

	@Test
	void anInvalidTableNameFailsAtStartUpSayingWhatIsAccepted() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.jdbc.table-name=a.b.c")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Invalid idempotency table name 'a.b.c'")
				.hasStackTraceContaining("schema.table"));
	}

	@Test
	void twoDataSourcesWithoutAPrimaryFailNamingBothAndTheProperty() {
		this.runner.withUserConfiguration(TwoDataSources.class)
			.withPropertyValues("idempotent.store.type=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("2 DataSource beans")
					.contains("ordersDataSource")
					.contains("auditDataSource");
				assertThat(analysis.getAction()).contains("@Primary").contains("idempotent.store.jdbc.data-source");
			});
	}

	@Test
	void theNamedDataSourceIsUsed() {
		this.runner.withUserConfiguration(TwoDataSources.class)
			.withPropertyValues("idempotent.store.type=jdbc", "idempotent.store.jdbc.data-source=auditDataSource")
			.run((context) -> {
				assertWorks(context.getBean(JdbcIdempotencyStore.class));
				assertThat(count(context.getBean("auditDataSource", DataSource.class))).isEqualTo(1);
			});
		this.runner.withUserConfiguration(TwoDataSources.class)
			.withPropertyValues("idempotent.store.type=jdbc", "idempotent.store.jdbc.data-source=nope")
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining("idempotent.store.jdbc.data-source names 'nope'")
				.hasMessageContaining("ordersDataSource"));
	}

	@Test
	void thePrimaryDataSourceIsUsed() {
		this.runner.withUserConfiguration(TwoDataSourcesOnePrimary.class).run((context) -> {
			assertWorks(context.getBean(JdbcIdempotencyStore.class));
			assertThat(count(context.getBean("ordersDataSource", DataSource.class))).isEqualTo(1);
		});
	}

	@Test
	void twoRedisConnectionFactoriesNeedAPrimaryOrAName() {
		this.runner.withUserConfiguration(TwoRedisConnectionFactories.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
				.contains("2 RedisConnectionFactory beans");
		});
		this.runner.withUserConfiguration(TwoRedisConnectionFactories.class)
			.withPropertyValues("idempotent.store.redis.connection-factory=cacheRedis")
			.run((context) -> assertThat(context).hasSingleBean(RedisIdempotencyStore.class));
	}

	@Test
	void everyStoreReportsTheConfiguredResultLimit() {
		this.runner.withPropertyValues("idempotent.store.max-result-size=3MB", "idempotent.store.memory.maximum-size=7")
			.run((context) -> assertThat(context.getBean(IdempotencyStore.class).maxResultSize())
				.isEqualTo(3 * 1024 * 1024));
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.max-result-size=3MB")
			.run((context) -> assertThat(context.getBean(IdempotencyStore.class).maxResultSize())
				.isEqualTo(3 * 1024 * 1024));
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.jdbc.max-result-size=512KB")
			.run((context) -> assertThat(context.getBean(IdempotencyStore.class).maxResultSize()).isEqualTo(512 * 1024));
	}

	@Test
	void theMemoryStoreIsBoundedByMaximumSize() {
		this.runner.withPropertyValues("idempotent.store.type=memory", "idempotent.store.memory.maximum-size=2")
			.run((context) -> {
				InMemoryIdempotencyStore store = context.getBean(InMemoryIdempotencyStore.class);
				store.tryAcquire(new IdempotencyKey("op", "a"), Duration.ofMinutes(1));
				store.tryAcquire(new IdempotencyKey("op", "b"), Duration.ofMinutes(1));
				assertThat(org.assertj.core.api.Assertions.catchThrowable(
						() -> store.tryAcquire(new IdempotencyKey("op", "c"), Duration.ofMinutes(1))))
					.hasMessageContaining("idempotent.store.memory.maximum-size");
			});
	}

	@Test
	void theJdbcPurgeBacklogIsAGauge() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				context.getBean(JdbcStoreMetrics.class).bindTo(registry);
				IdempotencyKey key = new IdempotencyKey("op", "gauge");
				store.complete(key, store.tryAcquire(key, Duration.ofMinutes(1)).token(), new byte[0],
						Duration.ofMillis(1));
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("idempotent.store.expired.records").gauge().value() == 1.0);
				context.getBean(JdbcExpiredRecordPurger.class).purge(store);
				assertThat(registry.get("idempotent.store.expired.records").tag("store", "jdbc").gauge().value())
					.isZero();
			});
	}

	@Test
	void onePurgeRunDeletesEveryExpiredRowWhateverTheBacklog() {
		this.runner.withUserConfiguration(OneDataSource.class)
			.withPropertyValues("idempotent.store.jdbc.purge.batch-size=10")
			.run((context) -> {
				JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
				for (int i = 0; i < 2_000; i++) {
					IdempotencyKey key = new IdempotencyKey("backlog", "k" + i);
					store.complete(key, store.tryAcquire(key, Duration.ofMinutes(1)).token(), new byte[0],
							Duration.ofMillis(1));
				}
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(10))
					.until(() -> store.countExpired() == 2_000);
				// 200 batches of 10: more than the 100 batches a run used to stop at
				assertThat(context.getBean(JdbcExpiredRecordPurger.class).purge(store)).isEqualTo(2_000);
				assertThat(store.countExpired()).isZero();
			});
	}

	private static void assertWorks(IdempotencyStore store) {
		IdempotencyKey key = new IdempotencyKey("op", "k-" + System.nanoTime());
		String token = store.tryAcquire(key, Duration.ofMinutes(1)).token();
		assertThat(store.tryAcquire(key, Duration.ofMinutes(1)).status()).isEqualTo(Status.IN_PROGRESS);
		assertThat(store.complete(key, token, new byte[] { 1 }, Duration.ofMinutes(1))).isTrue();
	}

	private static int count(DataSource dataSource) {
		return new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM idempotency_record", Integer.class);
	}

	private static DataSource h2(String name) {
		return new SimpleDriverDataSource(new org.h2.Driver(),
				"jdbc:h2:mem:" + name + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
	}

	@Configuration(proxyBeanMethods = false)
	static class OneDataSource {

		@Bean
		DataSource dataSource() {
			return h2("one");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		@Bean
		DataSource ordersDataSource() {
			return h2("orders");
		}

		@Bean
		DataSource auditDataSource() {
			return h2("audit");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDataSourcesOnePrimary {

		@Bean
		@Primary
		DataSource ordersDataSource() {
			return h2("orders");
		}

		@Bean
		DataSource auditDataSource() {
			return h2("audit");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoRedisConnectionFactories {

		@Bean
		RedisConnectionFactory sessionRedis() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		}

		@Bean
		RedisConnectionFactory cacheRedis() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		}

	}

}
