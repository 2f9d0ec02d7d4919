package io.idempotent.rocketmq;

import java.time.Duration;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Prepares the push consumer of every rocketmq-spring listener container (after the container has created
 * it, before it starts): wraps its listener so each delivery binds its message to
 * {@link RocketMQMessageContext}, and, for graceful shutdown, makes its shutdown wait up to the given time for
 * the deliveries already running (rocketmq-spring's {@code awaitTerminationMillisWhenShutdown} defaults to
 * 1 s, after which they are interrupted); a listener's own longer wait is kept. Uses only public API of rocketmq-spring and the RocketMQ client.
 */
public final class MessageBindingListenerPostProcessor implements BeanPostProcessor {

	private final Duration shutdownWait;

	/**
	 * Creates the post-processor with no shutdown wait (running deliveries are interrupted on shutdown).
	 */
	public MessageBindingListenerPostProcessor() {
		this(Duration.ZERO);
	}

	/**
	 * Creates the post-processor.
	 * @param shutdownWait how long a consumer's shutdown waits for running deliveries to finish
	 */
	public MessageBindingListenerPostProcessor(Duration shutdownWait) {
		this.shutdownWait = shutdownWait;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof DefaultRocketMQListenerContainer container) {
			DefaultMQPushConsumer consumer = container.getConsumer();
			if (consumer != null && consumer.getMessageListener() != null) {
				consumer.setMessageListener(MessageBindingListeners.wrap(consumer.getMessageListener()));
			}
			// rocketmq-spring's own default is 1 s, after which running deliveries are interrupted
			if (consumer != null && consumer.getAwaitTerminationMillisWhenShutdown() < this.shutdownWait.toMillis()) {
				consumer.setAwaitTerminationMillisWhenShutdown(this.shutdownWait.toMillis());
			}
		}
		return bean;
	}

}
