package io.idempotent.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import io.idempotent.aop.IdempotentAdvisor;
import io.idempotent.aop.IdempotentMethodInterceptor;
import io.idempotent.aop.IdempotentMethodScanner;
import io.idempotent.codec.JacksonResultCodec;
import io.idempotent.codec.ResultCodec;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.NearCache;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.key.InvocationAdapter;
import io.idempotent.observation.DuplicateSummaryLogger;
import io.idempotent.observation.IdempotencyObservations;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreDecorator;

/**
 * Guards {@code @Idempotent} methods: the engine on the auto-configured (or user's) store, the method
 * registry that validates every declaration at start-up, and the advisor that applies the interceptor.
 */
@AutoConfiguration(after = IdempotentStoreAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotentProperties.class)
@Import({ IdempotentAutoConfiguration.AutoProxyRegistrar.class, NearCacheConfiguration.class })
public final class IdempotentAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencySettingsResolver idempotencySettingsResolver(IdempotentProperties properties) {
		return new PropertiesSettingsResolver(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	ResultCodec idempotencyResultCodec(ObjectProvider<tools.jackson.databind.json.JsonMapper> jsonMapper) {
		tools.jackson.databind.json.JsonMapper mapper = jsonMapper.getIfAvailable();
		return (mapper != null) ? new JacksonResultCodec(mapper) : new JacksonResultCodec();
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyEngine idempotencyEngine(ObjectProvider<IdempotencyStore> store,
			ObjectProvider<IdempotencyStoreDecorator> decorators, ObjectProvider<IdempotencyObserver> observer,
			IdempotentProperties properties, ListableBeanFactory beans,
			ObjectProvider<IdempotentObservationAutoConfiguration.TraceIdSource> traceIds,
			ObjectProvider<NearCache> nearCache) {
		// one decorator chain: the engine and its keep-alive share the same decorated store
		IdempotencyStore guarded = guardedStore(store, decorators, properties);
		IdempotencyObserver heard = IdempotencyObserver.of(observer.orderedStream().toList());
		// a completion committed with the call's transaction carries the trace id as the observed store's do
		IdempotentObservationAutoConfiguration.TraceIdSource traceId = traceIds.getIfAvailable();
		return new IdempotencyEngine(guarded, heard, new LeaseKeepAlive(guarded, heard),
				properties.getCompletionRetryLimit(), TransactionalCompletions.forStore(store.getIfAvailable(), guarded, beans,
						(traceId != null) ? traceId::currentTraceId : null,
						properties.getStore().getJdbc().getTransactionManager()),
				nearCache.getIfAvailable(() -> NearCache.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	DuplicateSummaryLogger idempotencyDuplicateSummaryLogger(IdempotentProperties properties) {
		return new DuplicateSummaryLogger(properties.getLogging().getDuplicateSummaryInterval());
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static CommitWithTransactionCheck idempotentCommitWithTransactionCheck(ObjectProvider<IdempotencyEngine> engine,
			ObjectProvider<IdempotentMethodRegistry> registry, ListableBeanFactory beans) {
		return new CommitWithTransactionCheck(engine, registry, beans);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyGracefulShutdown idempotencyGracefulShutdown(ObjectProvider<IdempotencyEngine> engine,
			Environment environment) {
		Duration timeout = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class,
				Duration.ofSeconds(30));
		return new IdempotencyGracefulShutdown(engine, timeout);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotentMethodRegistry idempotentMethodRegistry(IdempotencySettingsResolver settings,
			ObjectProvider<InvocationAdapter> adapters) {
		List<InvocationAdapter> ordered = adapters.orderedStream().toList();
		return new IdempotentMethodRegistry(settings, ordered);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static IdempotentMethodScanner idempotentMethodScanner(ObjectProvider<IdempotentMethodRegistry> registry) {
		return new IdempotentMethodScanner(registry::getObject);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static IdempotentAdvisor idempotentAdvisor(ObjectProvider<IdempotencyEngine> engine,
			ObjectProvider<IdempotentMethodRegistry> registry, ObjectProvider<ResultCodec> codec,
			ObjectProvider<IdempotencyObservations> observations) {
		// looked up at the first call: advisors are created while post-processors register, too early for the store
		return new IdempotentAdvisor(new IdempotentMethodInterceptor(engine::getObject, registry::getObject,
				codec::getObject, () -> observations.getIfAvailable(() -> IdempotencyObservations.NONE)));
	}

	private static IdempotencyStore guardedStore(ObjectProvider<IdempotencyStore> store,
			ObjectProvider<IdempotencyStoreDecorator> decorators, IdempotentProperties properties) {
		IdempotencyStore guarded = store.getIfAvailable();
		if (guarded == null) {
			throw new NoIdempotencyStoreException(properties.getStore().getType());
		}
		for (IdempotencyStoreDecorator decorator : decorators.orderedStream().toList()) {
			guarded = decorator.decorate(guarded);
		}
		return guarded;
	}

	/**
	 * Makes sure an auto-proxy creator exists even where Boot's AOP auto-configuration is switched off, proxying
	 * classes as Boot does unless the application set {@code spring.aop.proxy-target-class=false}.
	 */
	static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}

	}

}
