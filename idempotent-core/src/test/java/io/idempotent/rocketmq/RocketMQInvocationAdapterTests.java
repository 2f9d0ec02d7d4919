package io.idempotent.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import org.aopalliance.intercept.MethodInvocation;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ReflectiveMethodInvocation;

import io.idempotent.annotation.Idempotent;
import io.idempotent.core.FailureMode;
import io.idempotent.core.IdempotencyKeyException;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.core.PayloadMismatch;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.key.KeyResolver;

/**
 * What a RocketMQ handler's key is made of, on real {@link MessageExt} instances as the client decodes them.
 */
class RocketMQInvocationAdapterTests {

	private final RocketMQInvocationAdapter adapter = new RocketMQInvocationAdapter(UnaryOperator.identity());

	private final IdempotentMethodRegistry registry = new IdempotentMethodRegistry(IdempotencySettingsResolver.DEFAULTS,
			List.of(this.adapter));

	private final KeyResolver keys = new KeyResolver();

	@Test
	void theDefaultKeyIsTheProducerAssignedUniqueIdNotTheKeys() throws Exception {
		MessageExt first = message("user-42", "{\"orderId\":\"o-1\"}");
		MessageExt second = message("user-42", "{\"orderId\":\"o-2\"}");
		IdempotentMethod method = method(DefaultKeyListener.class);
		String firstKey = this.keys.resolve(method, invocation(DefaultKeyListener.class, first));
		assertThat(firstKey).isEqualTo(MessageClientIDSetter.getUniqID(first))
			.isNotEqualTo(this.keys.resolve(method, invocation(DefaultKeyListener.class, second)));
	}

	@Test
	void singleKeyIsTheOnlyValueOfKeysAndRefusesAMessageWithSeveral() throws Exception {
		IdempotentMethod method = method(SingleKeyListener.class);
		assertThat(this.keys.resolve(method, invocation(SingleKeyListener.class, message("order-9", "{}"))))
			.isEqualTo("order-9");
		assertThatThrownBy(() -> this.keys.resolve(method,
				invocation(SingleKeyListener.class, message("order-9 user-42", "{}"))))
			.isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining("'#singleKey'")
			.hasMessageNotContaining("user-42");
		assertThatThrownBy(() -> this.keys.resolve(method, invocation(SingleKeyListener.class, message(null, "{}"))))
			.isInstanceOf(IdempotencyKeyException.class);
	}

	@Test
	void theFingerprintIsTheBodysDigest() throws Exception {
		MessageExt one = message("k", "{\"userId\":\"u-1\"}");
		MessageExt other = message("k", "{\"userId\":\"u-2\"}");
		assertThat(this.adapter.fingerprint(invocation(DefaultKeyListener.class, one))).hasSize(32)
			.isNotEqualTo(this.adapter.fingerprint(invocation(DefaultKeyListener.class, other)))
			.isEqualTo(this.adapter.fingerprint(invocation(DefaultKeyListener.class, message("x", "{\"userId\":\"u-1\"}"))));
	}

	@Test
	void theRedeliveryWindowFollowsTheBrokersDefaultDelayLevels() {
		RedeliveryWindow concurrent = RedeliveryWindow.of(DefaultKeyListener.class.getAnnotation(RocketMQMessageListener.class));
		assertThat(concurrent.maxReconsumeTimes()).isEqualTo(16);
		// levels 3..18: 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h
		assertThat(concurrent.window()).isEqualTo(Duration.ofSeconds(10 + 30).plusMinutes(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 20 + 30)
			.plusHours(3));
		assertThat(concurrent.lastChance(14)).isFalse();
		assertThat(concurrent.lastChance(15)).isTrue();
		RedeliveryWindow orderly = RedeliveryWindow.of(OrderlyListener.class.getAnnotation(RocketMQMessageListener.class));
		assertThat(orderly.window()).isNull();
	}

	@Test
	void aLeaseLongerThanTheRedeliveryWindowIsLoggedAtStartUp() throws Exception {
		ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
			.getLogger(RocketMQInvocationAdapter.class);
		ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events = new ch.qos.logback.core.read.ListAppender<>();
		events.start();
		logger.addAppender(events);
		try {
			IdempotencySettings sixHours = new IdempotencySettings(Duration.ofHours(6), Duration.ofDays(1), true,
					FailureMode.FAIL_CLOSED);
			new IdempotentMethodRegistry((name) -> sixHours, List.of(this.adapter))
				.get(DefaultKeyListener.class.getMethod("onMessage", MessageExt.class), DefaultKeyListener.class);
			assertThat(events.list).anySatisfy((event) -> {
				assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
				assertThat(event.getFormattedMessage()).contains("DefaultKeyListener.onMessage")
					.contains("outlasts the 16 redeliveries");
			});
			events.list.clear();
			method(DefaultKeyListener.class); // the default one-minute lease is fine
			assertThat(events.list).isEmpty();
		}
		finally {
			logger.detachAppender(events);
		}
	}

	@Test
	void refusingMismatchesOnAnOrderlyListenerWithoutAReconsumeBoundIsLoggedAtStartUp() throws Exception {
		ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
			.getLogger(RocketMQInvocationAdapter.class);
		ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events = new ch.qos.logback.core.read.ListAppender<>();
		events.start();
		logger.addAppender(events);
		try {
			IdempotencySettings refusing = new IdempotencySettings(Duration.ofMinutes(1), Duration.ofDays(1), true,
					FailureMode.FAIL_CLOSED, PayloadMismatch.REFUSE);
			new IdempotentMethodRegistry((name) -> refusing, List.of(this.adapter))
				.get(OrderlyListener.class.getMethod("onMessage", MessageExt.class), OrderlyListener.class);
			assertThat(events.list).anySatisfy((event) -> {
				assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
				assertThat(event.getFormattedMessage()).contains("OrderlyListener.onMessage")
					.contains("maxReconsumeTimes is unlimited");
			});
			events.list.clear();
			new IdempotentMethodRegistry((name) -> refusing, List.of(this.adapter))
				.get(BoundedOrderlyListener.class.getMethod("onMessage", MessageExt.class), BoundedOrderlyListener.class);
			method(OrderlyListener.class); // replaying mismatches never holds the queue
			assertThat(events.list).isEmpty();
		}
		finally {
			logger.detachAppender(events);
		}
	}

	private IdempotentMethod method(Class<?> type) throws NoSuchMethodException {
		return this.registry.get(type.getMethod("onMessage", MessageExt.class), type);
	}

	private static MethodInvocation invocation(Class<?> type, MessageExt message) throws Exception {
		Object target = type.getDeclaredConstructor().newInstance();
		Method method = type.getMethod("onMessage", MessageExt.class);
		return new ReflectiveMethodInvocation(null, target, method, new Object[] { message }, type, List.of()) {
		};
	}

	private static MessageExt message(String keys, String body) {
		MessageClientExt message = new MessageClientExt();
		message.setTopic("orders");
		if (keys != null) {
			message.setKeys(keys);
		}
		message.setBody(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		MessageClientIDSetter.setUniqID(message);
		MessageAccessor.putProperty(message, "x", "y");
		return message;
	}

	@RocketMQMessageListener(topic = "orders", consumerGroup = "default")
	public static class DefaultKeyListener implements RocketMQListener<MessageExt> {

		@Override
		@Idempotent
		public void onMessage(MessageExt message) {
		}

	}

	@RocketMQMessageListener(topic = "orders", consumerGroup = "single")
	public static class SingleKeyListener implements RocketMQListener<MessageExt> {

		@Override
		@Idempotent(key = "#singleKey")
		public void onMessage(MessageExt message) {
		}

	}

	@RocketMQMessageListener(topic = "orders", consumerGroup = "orderly",
			consumeMode = org.apache.rocketmq.spring.annotation.ConsumeMode.ORDERLY)
	public static class OrderlyListener implements RocketMQListener<MessageExt> {

		@Override
		@Idempotent
		public void onMessage(MessageExt message) {
		}

	}

	@RocketMQMessageListener(topic = "orders", consumerGroup = "bounded-orderly",
			consumeMode = org.apache.rocketmq.spring.annotation.ConsumeMode.ORDERLY, maxReconsumeTimes = 3)
	public static class BoundedOrderlyListener implements RocketMQListener<MessageExt> {

		@Override
		@Idempotent
		public void onMessage(MessageExt message) {
		}

	}

}
