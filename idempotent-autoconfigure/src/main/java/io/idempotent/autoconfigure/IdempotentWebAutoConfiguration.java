package io.idempotent.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.idempotent.web.IdempotencyScopeResolver;
import io.idempotent.web.IdempotentExceptionResolver;
import io.idempotent.web.IdempotentResponseFilter;
import io.idempotent.web.StatusPolicy;
import io.idempotent.web.TransactionalResponseInterceptor;
import io.idempotent.web.WebIdempotencySettings;
import io.idempotent.web.WebInvocationAdapter;

/**
 * The HTTP guard for Spring MVC: the adapter for {@code @Idempotent} controller methods, the filter that
 * buffers their requests and responses, the exception resolver that ends requests the guard answered itself,
 * the per-caller key scope (the principal's name by default), and the interceptor that ends the transactions
 * of commit-with-transaction requests once their response is buffered.
 */
@AutoConfiguration(before = IdempotentAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, jakarta.servlet.Filter.class })
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
public final class IdempotentWebAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotencyScopeResolver idempotencyScopeResolver() {
		return IdempotencyScopeResolver.PRINCIPAL;
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	WebInvocationAdapter idempotentWebInvocationAdapter(IdempotentProperties properties,
			ObjectProvider<IdempotencyScopeResolver> scopes) {
		IdempotentProperties.Web web = properties.getWeb();
		StatusPolicy stored = StatusPolicy.parse(web.getStoredStatuses());
		WebIdempotencySettings settings = new WebIdempotencySettings(web.getHeaderName(), web.isRequired(),
				web.getReplayedHeaders(), web.isReplayClientErrors(),
				(int) Math.min(Integer.MAX_VALUE, web.getMaxResponseSize().toBytes()),
				web.getMaxRequestSize().toBytes(), stored);
		Map<String, StatusPolicy> perHandler = new LinkedHashMap<>();
		Map<String, String> fingerprints = new LinkedHashMap<>();
		web.getHandlers().forEach((name, handler) -> {
			if (handler.getStoredStatuses() != null) {
				perHandler.put(name, StatusPolicy.parse(handler.getStoredStatuses()));
			}
			if (handler.getFingerprint() != null) {
				fingerprints.put(name, handler.getFingerprint());
			}
		});
		WebInvocationAdapter adapter = new WebInvocationAdapter(settings, scopes::getObject, (operation) -> {
			StatusPolicy policy = perHandler.getOrDefault(operation, stored);
			return replaysClientErrors(properties, operation) ? policy : policy.withoutClientErrors();
		}, fingerprints);
		adapter.setOriginalTraceIdHeader(web.getOriginalTraceIdHeader());
		return adapter;
	}

	private static boolean replaysClientErrors(IdempotentProperties properties, String operation) {
		IdempotentProperties.Operation own = properties.getHandlers().get(operation);
		if (own != null && own.getReplayClientErrors() != null) {
			return own.getReplayClientErrors();
		}
		Boolean byDefault = properties.getDefaults().getReplayClientErrors();
		return (byDefault != null) ? byDefault : properties.getWeb().isReplayClientErrors();
	}

	@Bean
	@ConditionalOnMissingBean
	IdempotentResponseFilter idempotentResponseFilter(ObjectProvider<HandlerMapping> handlerMappings,
			IdempotentProperties properties) {
		SingletonSupplier<List<HandlerMapping>> mappings = SingletonSupplier
			.of(() -> handlerMappings.orderedStream().toList());
		return new IdempotentResponseFilter(mappings, properties.getWeb().getMaxRequestSize().toBytes());
	}

	/**
	 * Ends commit-with-transaction requests' transactions inside the DispatcherServlet, once their response is
	 * buffered and before open-session-in-view closes their EntityManager.
	 */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	WebMvcConfigurer idempotentTransactionalResponseInterceptor() {
		TransactionalResponseInterceptor interceptor = new TransactionalResponseInterceptor();
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(interceptor).order(interceptor.getOrder());
			}

		};
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	IdempotentExceptionResolver idempotentExceptionResolver() {
		return new IdempotentExceptionResolver();
	}

}
