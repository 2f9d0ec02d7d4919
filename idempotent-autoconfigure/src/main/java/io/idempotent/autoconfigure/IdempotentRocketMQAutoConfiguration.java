package io.idempotent.autoconfigure;

import java.time.Duration;

import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

import io.idempotent.rocketmq.MessageBindingListenerPostProcessor;
import io.idempotent.rocketmq.RocketMQInvocationAdapter;

/**
 * Teaches the guard about {@code @RocketMQMessageListener} handlers (rocketmq-spring-boot-starter): keys
 * namespaced by consumer group, the message id as the default key, message metadata in the key expression,
 * redelivery of duplicates whose first delivery is still running, and consumers whose shutdown waits
 * (up to {@code spring.lifecycle.timeout-per-shutdown-phase}) for the deliveries already running.
 */
@AutoConfiguration(before = IdempotentAutoConfiguration.class)
@ConditionalOnClass({ RocketMQMessageListener.class, DefaultRocketMQListenerContainer.class, MessageExt.class })
@ConditionalOnBooleanProperty(name = "idempotent.enabled", matchIfMissing = true)
public final class IdempotentRocketMQAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	RocketMQInvocationAdapter idempotentRocketMQInvocationAdapter(Environment environment) {
		return new RocketMQInvocationAdapter(environment::resolvePlaceholders);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MessageBindingListenerPostProcessor idempotentMessageBindingListenerPostProcessor(Environment environment) {
		// graceful shutdown: a stopping container lets the deliveries already running finish (and complete)
		return new MessageBindingListenerPostProcessor(environment.getProperty(
				"spring.lifecycle.timeout-per-shutdown-phase", Duration.class, Duration.ofSeconds(30)));
	}

}
