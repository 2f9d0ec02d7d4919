package io.idempotent.rocketmq;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.aopalliance.intercept.MethodInvocation;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.apache.rocketmq.spring.core.RocketMQReplyListener;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.EvaluationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.StringUtils;

import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.store.Sha256;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.InvocationAdapter;

/**
 * Serves {@code onMessage} of {@code @RocketMQMessageListener} beans.
 *
 * <ul>
 * <li>Keys live in the namespace {@code <consumerGroup>:<operation>}, so two consumer groups on one topic each
 * process a message once.</li>
 * <li>Without a key expression the key is the message's unique id ({@code UNIQ_KEY}, the msgId a producer
 * assigns), which stays the same across broker redeliveries and offset rewinds and never merges two different
 * messages. It does <em>not</em> catch a producer that resends the same event as a new message (a new msgId):
 * give such handlers a business key ({@code key = "#event.orderId"}), or {@code key = "#singleKey"} for the
 * single value of {@code KEYS} (a message whose {@code KEYS} is empty or holds several values is then
 * refused).</li>
 * <li>The key expression sees {@code #message} (the {@link MessageExt}), {@code #msgId}, {@code #keys},
 * {@code #singleKey}, {@code #tags}, {@code #topic}, {@code #reconsumeTimes} and {@code #properties} (user
 * properties), also for listeners typed with a POJO payload.</li>
 * <li>The message body's SHA-256 is stored with the claim as its payload fingerprint, so a completed key that
 * comes back with another body is counted as a mismatch (and refused when so configured).</li>
 * <li>A duplicate whose first delivery is still running is refused with an exception, so rocketmq-spring
 * answers {@code RECONSUME_LATER} and the broker redelivers it; on its last redelivery before the dead-letter
 * queue, and always on an ORDERLY queue (which is held anyway), it waits on the consumer thread for the first
 * delivery to end instead, so an in-progress duplicate never ends in the dead-letter queue.</li>
 * </ul>
 */
public final class RocketMQInvocationAdapter implements InvocationAdapter {

	/** The source tag of RocketMQ deliveries. */
	public static final String SOURCE = "rocketmq";

	private static final Logger logger = LoggerFactory.getLogger(RocketMQInvocationAdapter.class);

	private static final int WARN_AFTER_REFUSALS = 3;

	private final UnaryOperator<String> placeholders;

	private final Map<Class<?>, RedeliveryWindow> windows = new ConcurrentHashMap<>();

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
		return this.placeholders.apply(listener(targetClass).consumerGroup()) + ":" + operationName;
	}

	@Override
	public void validateOperation(IdempotentOperation operation, Method method, Class<?> targetClass) {
		RedeliveryWindow window = window(targetClass);
		Duration lease = operation.settings().lease();
		if (window.window() != null && lease.compareTo(window.window()) > 0) {
			logger.warn("The lease of '{}' ({}) outlasts the {} redeliveries of its messages (about {} with the broker's "
					+ "default delay levels); a duplicate of a crashed delivery would only be taken over on its last "
					+ "redelivery. Shorten the lease or raise maxReconsumeTimes", operation.name(), lease,
					window.maxReconsumeTimes(), window.window());
		}
		if (window.window() == null && window.maxReconsumeTimes() == Integer.MAX_VALUE
				&& operation.settings().payloadMismatch() == PayloadMismatch.REFUSE) {
			logger.warn("'{}' refuses a reused key with another body (on-payload-mismatch=refuse) on an ORDERLY listener "
					+ "whose maxReconsumeTimes is unlimited (the default): a refused message is retried in place for "
					+ "ever and holds its queue. Set maxReconsumeTimes on the listener so it reaches the dead-letter "
					+ "queue", operation.name());
		}
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
		define(context, "msgId", uniqueId(message));
		define(context, "keys", message.getKeys());
		define(context, "singleKey", singleKey(message));
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
		return (message != null) ? uniqueId(message) : null;
	}

	@Override
	public String defaultKeyDescription() {
		return "message id (UNIQ_KEY)";
	}

	@Override
	public byte[] fingerprint(MethodInvocation invocation) {
		MessageExt message = message(invocation);
		return (message != null && message.getBody() != null) ? Sha256.digest(message.getBody()) : null;
	}

	@Override
	public boolean waitsWhileInProgress(IdempotentMethod method, MethodInvocation invocation) {
		MessageExt message = message(invocation);
		RedeliveryWindow window = window(method.targetClass());
		return message != null && (window.window() == null || window.lastChance(message.getReconsumeTimes()));
	}

	@Override
	public void refusedInProgress(IdempotentMethod method, MethodInvocation invocation) {
		MessageExt message = message(invocation);
		if (message == null) {
			return;
		}
		int refusals = message.getReconsumeTimes() + 1;
		if (refusals >= WARN_AFTER_REFUSALS) {
			logger.warn("Message {} for '{}' was redelivered while its key is still in progress ({} deliveries so far)",
					uniqueId(message), method.operation().name(), refusals);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Message {} for '{}' refused while its key is in progress ({} deliveries so far)",
					uniqueId(message), method.operation().name(), refusals);
		}
	}

	private RedeliveryWindow window(Class<?> targetClass) {
		return this.windows.computeIfAbsent(targetClass, (type) -> RedeliveryWindow.of(listener(type)));
	}

	private static RocketMQMessageListener listener(Class<?> targetClass) {
		return AnnotatedElementUtils.findMergedAnnotation(targetClass, RocketMQMessageListener.class);
	}

	/**
	 * The message's unique id: the producer-assigned {@code UNIQ_KEY}, else the broker's message id.
	 * @param message the message
	 * @return the id
	 */
	static String uniqueId(MessageExt message) {
		String unique = MessageClientIDSetter.getUniqID(message);
		return StringUtils.hasText(unique) ? unique : message.getMsgId();
	}

	private static String singleKey(MessageExt message) {
		String keys = message.getKeys();
		if (!StringUtils.hasText(keys)) {
			return null;
		}
		String[] values = keys.trim().split("\\s+");
		return (values.length == 1) ? values[0] : null;
	}

	private static MessageExt message(MethodInvocation invocation) {
		Object[] arguments = invocation.getArguments();
		if (arguments.length == 1 && arguments[0] instanceof MessageExt message) {
			return message;
		}
		return RocketMQMessageContext.currentOrNull();
	}

}
