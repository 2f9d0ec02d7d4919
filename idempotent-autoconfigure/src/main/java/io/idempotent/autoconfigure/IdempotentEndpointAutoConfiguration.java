package io.idempotent.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.idempotent.core.IdempotencyEngine;
import io.idempotent.key.IdempotentMethodRegistry;

/**
 * The {@code idempotency} actuator endpoint. Exposed over HTTP only when the application exposes it, as with
 * every Boot endpoint ({@code management.endpoints.web.exposure.include=idempotency}).
 */
@AutoConfiguration(after = IdempotentAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(IdempotencyEngine.class)
@ConditionalOnAvailableEndpoint(IdempotencyEndpoint.class)
public final class IdempotentEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	IdempotencyEndpoint idempotencyEndpoint(IdempotencyEngine engine, IdempotentMethodRegistry registry) {
		return new IdempotencyEndpoint(engine, registry);
	}

}
