package io.idempotent.autoconfigure;

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
 * namespaced by consumer group, the message keys or id as the default key, message metadata in the key
 * expression, and redelivery of duplicates whose first delivery is still running.
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
	static MessageBindingListenerPostProcessor idempotentMessageBindingListenerPostProcessor() {
		return new MessageBindingListenerPostProcessor();
	}

}
