package io.idempotent.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * The JDBC store, on the application's {@link DataSource}: creates the table when schema initialization says
 * so, fails fast when it is missing, and purges expired rows periodically.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ JdbcTemplate.class, DataSource.class })
@Conditional(StoreTypeCondition.Jdbc.class)
class JdbcStoreConfiguration {

	@Bean
	@ConditionalOnMissingBean(IdempotencyStore.class)
	JdbcIdempotencyStore idempotencyStore(ObjectProvider<DataSource> dataSource, IdempotentProperties properties) {
		DataSource source = dataSource.getIfUnique();
		if (source == null) {
			throw new NoIdempotencyStoreException(StoreType.JDBC);
		}
		IdempotentProperties.Jdbc jdbc = properties.getStore().getJdbc();
		JdbcIdempotencyStore store = new JdbcIdempotencyStore(source, jdbc.getTableName(),
				(int) Math.min(Integer.MAX_VALUE, jdbc.getMaxResultSize().toBytes()));
		JdbcStoreSchemaInitializer.initialize(store, source, jdbc.getInitializeSchema());
		store.verifySchema();
		return store;
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "idempotent.store.jdbc.purge.enabled", matchIfMissing = true)
	JdbcExpiredRecordPurger idempotencyExpiredRecordPurger(ObjectProvider<JdbcIdempotencyStore> store,
			IdempotentProperties properties) {
		return new JdbcExpiredRecordPurger(store, properties.getStore().getJdbc().getPurge());
	}

}
