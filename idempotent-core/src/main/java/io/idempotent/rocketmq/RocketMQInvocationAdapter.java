package io.idempotent.rocketmq;

import java.lang.reflect.Method;
import java.util.function.UnaryOperator;

import org.aopalliance.intercept.MethodInvocation;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.apache.rocketmq.spring.core.RocketMQReplyListener;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.EvaluationContext;
import org.springframework.util.StringUtils;

import io.idempotent.aop.InvocationAdapter;

/**
 * Serves {@code onMessage} of {@code @RocketMQMessageListener} beans.
 *
 * <ul>
 * <li>Keys live in the namespace {@code <consumerGroup>:<operation>}, so two consumer groups on one topic each
 * process a message once.</li>
 * <li>Without a key expression the key is the message's business keys ({@code KEYS}) when set, else its
 * message id (the same across redeliveries).</li>
 * <li>The key expression sees {@code #message} (the {@link MessageExt}), {@code #msgId}, {@code #keys},
 * {@code #tags}, {@code #topic}, {@code #reconsumeTimes} and {@code #properties} (user properties), also
 * for listeners typed with a POJO payload.</li>
 * </ul>
 * A duplicate whose first delivery is still running is refused with an exception, so rocketmq-spring
 * answers {@code RECONSUME_LATER} (ORDERLY: suspends the queue for a moment) and the broker redelivers it.
 */
public final class RocketMQInvocationAdapter implements InvocationAdapter {

	/** The source tag of RocketMQ deliveries. */
	public static final String SOURCE = "rocketmq";

	private final UnaryOperator<String> placeholders;

	/**
	 * Creates the adapter.
	 * @param placeholders resolves {@code ${...}} in the listener annotation's consumer group
	 */
	public RocketMQInvocationAdapter(UnaryOperator<String> placeholders) {
		this.placeholders = placeholders;
	}

	@Override
	public boolean supports(Method method, Class<?> targetClass) {
		boolean listener = RocketMQListener.class.isAssignableFrom(targetClass)
				|| RocketMQReplyListener.class.isAssignableFrom(targetClass);
		return listener && method.getName().equals("onMessage") && method.getParameterCount() == 1
				&& AnnotatedElementUtils.hasAnnotation(targetClass, RocketMQMessageListener.class);
	}

	@Override
	public String source() {
		return SOURCE;
	}

	@Override
	public String keyNamespace(String operationName, Method method, Class<?> targetClass) {
		RocketMQMessageListener listener = AnnotatedElementUtils.findMergedAnnotation(targetClass,
				RocketMQMessageListener.class);
		return this.placeholders.apply(listener.consumerGroup()) + ":" + operationName;
	}

	@Override
	public boolean providesDefaultKey() {
		return true;
	}

	@Override
	public void contributeVariables(EvaluationContext context, MethodInvocation invocation) {
		MessageExt message = message(invocation);
		if (message == null) {
			return;
		}
		// arguments keep their names: a parameter called "message" is not replaced
		define(context, "message", message);
		define(context, "msgId", message.getMsgId());
		define(context, "keys", message.getKeys());
		define(context, "tags", message.getTags());
		define(context, "topic", message.getTopic());
		define(context, "reconsumeTimes", message.getReconsumeTimes());
		define(context, "properties", message.getProperties());
	}

	private static void define(EvaluationContext context, String name, Object value) {
		if (context.lookupVariable(name) == null) {
			context.setVariable(name, value);
		}
	}

	@Override
	public String defaultKey(MethodInvocation invocation) {
		MessageExt message = message(invocation);
		if (message == null) {
			return null;
		}
		return StringUtils.hasText(message.getKeys()) ? message.getKeys() : message.getMsgId();
	}

	@Override
	public String defaultKeyDescription() {
		return "message keys (or, when unset, message id)";
	}

	private static MessageExt message(MethodInvocation invocation) {
		Object[] arguments = invocation.getArguments();
		if (arguments.length == 1 && arguments[0] instanceof MessageExt message) {
			return message;
		}
		return RocketMQMessageContext.currentOrNull();
	}

}
