package io.idempotent.autoconfigure.openapi;

import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.idempotent.autoconfigure.IdempotentProperties;
import io.idempotent.autoconfigure.IdempotentWebAutoConfiguration;

/**
 * When springdoc-openapi is on the classpath, documents the idempotency contract of guarded endpoints in the
 * generated API description ({@code /v3/api-docs}).
 */
@AutoConfiguration(after = IdempotentWebAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ OperationCustomizer.class, org.springframework.web.servlet.DispatcherServlet.class })
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotentProperties.class)
public final class IdempotentOpenApiAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	IdempotencyOpenApiCustomizer idempotencyOpenApiCustomizer(IdempotentProperties properties) {
		return new IdempotencyOpenApiCustomizer(properties.getWeb().getHeaderName(), properties.getWeb().isRequired());
	}

}
