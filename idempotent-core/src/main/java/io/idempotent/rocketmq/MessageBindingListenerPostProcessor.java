package io.idempotent.rocketmq;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps the push consumer's listener of every rocketmq-spring listener container (after the container has
 * created its consumer, before it starts), so each delivery binds its message to
 * {@link RocketMQMessageContext}. Uses only public API of rocketmq-spring and the RocketMQ client.
 */
public final class MessageBindingListenerPostProcessor implements BeanPostProcessor {

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof DefaultRocketMQListenerContainer container) {
			DefaultMQPushConsumer consumer = container.getConsumer();
			if (consumer != null && consumer.getMessageListener() != null) {
				consumer.setMessageListener(MessageBindingListeners.wrap(consumer.getMessageListener()));
			}
		}
		return bean;
	}

}
