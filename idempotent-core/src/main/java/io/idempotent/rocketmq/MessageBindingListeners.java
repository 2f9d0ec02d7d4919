package io.idempotent.rocketmq;

import java.util.List;

import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListener;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Wraps a consumer's message listener so each message is bound to {@link RocketMQMessageContext} while the
 * original listener handles it. A batch is handed on one message at a time, stopping at the first that is not
 * consumed, which is what the original listener does within a batch; the default batch size is one.
 */
final class MessageBindingListeners {

	private MessageBindingListeners() {
	}

	static MessageListener wrap(MessageListener listener) {
		if (listener instanceof Concurrently || listener instanceof Orderly) {
			return listener;
		}
		if (listener instanceof MessageListenerConcurrently concurrently) {
			return new Concurrently(concurrently);
		}
		if (listener instanceof MessageListenerOrderly orderly) {
			return new Orderly(orderly);
		}
		return listener;
	}

	private record Concurrently(MessageListenerConcurrently delegate) implements MessageListenerConcurrently {

		@Override
		public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> messages, ConsumeConcurrentlyContext context) {
			for (MessageExt message : messages) {
				MessageExt previous = RocketMQMessageContext.bind(message);
				try {
					ConsumeConcurrentlyStatus status = this.delegate.consumeMessage(List.of(message), context);
					if (status != ConsumeConcurrentlyStatus.CONSUME_SUCCESS) {
						return status;
					}
				}
				finally {
					RocketMQMessageContext.restore(previous);
				}
			}
			return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
		}

	}

	private record Orderly(MessageListenerOrderly delegate) implements MessageListenerOrderly {

		@Override
		public ConsumeOrderlyStatus consumeMessage(List<MessageExt> messages, ConsumeOrderlyContext context) {
			for (MessageExt message : messages) {
				MessageExt previous = RocketMQMessageContext.bind(message);
				try {
					ConsumeOrderlyStatus status = this.delegate.consumeMessage(List.of(message), context);
					if (status != ConsumeOrderlyStatus.SUCCESS) {
						return status;
					}
				}
				finally {
					RocketMQMessageContext.restore(previous);
				}
			}
			return ConsumeOrderlyStatus.SUCCESS;
		}

	}

}
