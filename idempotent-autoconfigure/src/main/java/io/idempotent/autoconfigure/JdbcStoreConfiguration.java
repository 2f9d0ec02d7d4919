package io.idempotent.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * The JDBC store, on the application's {@link DataSource} (the one named by
 * {@code idempotent.store.jdbc.data-source}, else the only or primary one): creates the table when schema
 * initialization says so, after the application's own database initialization, checks the table at start-up,
 * and purges expired rows periodically.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ JdbcTemplate.class, DataSource.class })
@Conditional(StoreTypeCondition.Jdbc.class)
class JdbcStoreConfiguration {

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	@DependsOnDatabaseInitialization
	JdbcStoreSchemaInitializer idempotencyStoreSchemaInitializer(ListableBeanFactory beans,
			IdempotentProperties properties) {
		IdempotentProperties.Jdbc jdbc = properties.getStore().getJdbc();
		return new JdbcStoreSchemaInitializer(dataSource(beans, jdbc), jdbc.getTableName(), jdbc.getInitializeSchema());
	}

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	@DependsOnDatabaseInitialization
	JdbcIdempotencyStore idempotencyStore(ListableBeanFactory beans, IdempotentProperties properties,
			JdbcStoreSchemaInitializer schemaInitializer) {
		IdempotentProperties.Jdbc jdbc = properties.getStore().getJdbc();
		JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource(beans, jdbc), jdbc.getTableName(),
				properties.getStore().maxResultBytes(jdbc.getMaxResultSize()));
		store.verifySchema();
		return store;
	}

	private static DataSource dataSource(ListableBeanFactory beans, IdempotentProperties.Jdbc jdbc) {
		return StoreInfrastructure.pick(beans, DataSource.class, jdbc.getDataSource(),
				"idempotent.store.jdbc.data-source", StoreType.JDBC);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "idempotent.store.jdbc.purge.enabled", matchIfMissing = true)
	JdbcExpiredRecordPurger idempotencyExpiredRecordPurger(ObjectProvider<JdbcIdempotencyStore> store,
			IdempotentProperties properties) {
		return new JdbcExpiredRecordPurger(store, properties.getStore().getJdbc().getPurge());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class JdbcStoreMetricsConfiguration {

		@Bean
		JdbcStoreMetrics idempotencyJdbcStoreMetrics(ObjectProvider<JdbcIdempotencyStore> store) {
			return new JdbcStoreMetrics(store);
		}

	}

}
