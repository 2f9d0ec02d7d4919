package io.idempotent.rocketmq;

import java.util.Optional;

import org.apache.rocketmq.common.message.MessageExt;

/**
 * The RocketMQ message being handled on the current consumer thread, with its metadata (message id, keys,
 * tags, topic, reconsume times, user properties), even when the listener is typed with a converted POJO
 * payload. Bound by {@link MessageBindingListenerPostProcessor} around each delivery and cleared after it.
 */
public final class RocketMQMessageContext {

	private static final ThreadLocal<MessageExt> CURRENT = new ThreadLocal<>();

	private RocketMQMessageContext() {
	}

	/**
	 * The message whose delivery is running on this thread.
	 * @return the message, empty outside a delivery
	 */
	public static Optional<MessageExt> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	static MessageExt currentOrNull() {
		return CURRENT.get();
	}

	static MessageExt bind(MessageExt message) {
		MessageExt previous = CURRENT.get();
		CURRENT.set(message);
		return previous;
	}

	static void restore(MessageExt previous) {
		if (previous == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(previous);
		}
	}

}
