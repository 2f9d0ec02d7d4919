package io.idempotent.autoconfigure.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.spring.annotation.ConsumeMode;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;

import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.idempotent.annotation.Idempotent;
import io.idempotent.autoconfigure.IdempotencyEndpoint;
import io.idempotent.autoconfigure.observation.TracingTestConfiguration;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.rocketmq.RocketMQMessageContext;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The guard on the in-memory store. The store is one instance shared by the applications a test starts, as
 * if they were one process restarted. Also holds the delivery rules that do not depend on the store: the
 * default key, payload mismatches, and in-progress duplicates that must never reach the dead-letter queue.
 */
class InMemoryStoreRocketMQGuardTests extends RocketMQGuardTests {

	static final InMemoryIdempotencyStore STORE = new InMemoryIdempotencyStore();

	static final Map<String, MessageExt> DELIVERED = new ConcurrentHashMap<>();

	@Override
	List<String> storeProperties() {
		return List.of("idempotent.store.type=memory");
	}

	@Override
	List<Class<?>> storeConfiguration() {
		return List.of(SharedStore.class);
	}

	@Test
	void theDefaultKeyNeverMergesTwoMessagesThatShareTheirKeys() {
		ConfigurableApplicationContext app = start(DefaultKeyListener.class);
		send(app, new OrderPaid("order-11a", "user-42"), "user-42", null);
		send(app, new OrderPaid("order-11b", "user-42"), "user-42", null);
		send(app, new OrderPaid("order-11c", "user-42"), "order-11c user-42", null);
		send(app, new OrderPaid("order-11d", "user-42"), "order-11d user-42", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> List.of("order-11a", "order-11b", "order-11c", "order-11d")
			.stream().allMatch((order) -> effects("default", order) == 1));
		assertThat(duplicates(app, "completed")).isZero();
	}

	@Test
	void theDefaultKeyCatchesABrokerRedeliveryOfTheSameMessage() throws Exception {
		ConfigurableApplicationContext app = start(DefaultKeyListener.class);
		send(app, new OrderPaid("order-12", "user-1"), "order-12", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("default", "order-12") == 1);
		// the broker hands the same message (same msgId) back, as after a lost acknowledgement
		MessageExt delivered = DELIVERED.get(this.topic + ":order-12");
		app.getBean(DefaultRocketMQListenerContainer.class).getConsumer().sendMessageBack(delivered, 1);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(effects("default", "order-12")).isEqualTo(1);
	}

	@Test
	void aCompletedKeyWithAnotherBodyIsAcknowledgedButCountedAsAMismatch() {
		ConfigurableApplicationContext app = start(CouponListener.class);
		send(app, new OrderPaid("order-13", "user-1"), "order-13", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("coupon", "order-13") == 1);
		send(app, new OrderPaid("order-13", "user-2"), "order-13", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "mismatch") >= 1);
		assertThat(duplicates(app, "completed")).isZero();
		assertThat(effects("coupon", "order-13")).isEqualTo(1);
	}

	@Test
	void aHandlerCanRefuseAMismatchSoTheMessageIsRedeliveredNotAcknowledged() {
		ConfigurableApplicationContext app = start(
				List.of("idempotent.handlers.[strict-coupon].on-payload-mismatch=refuse"), StrictCouponListener.class);
		send(app, new OrderPaid("order-14", "user-1"), "order-14", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("strict", "order-14") == 1);
		send(app, new OrderPaid("order-14", "user-2"), "order-14", null);
		// refused, so the broker brings it back: each delivery is another mismatch
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "mismatch") >= 2);
		assertThat(effects("strict", "order-14")).isEqualTo(1);
	}

	@Test
	void anOrderlyInProgressDuplicateWaitsInsteadOfExhaustingItsRetriesIntoTheDeadLetterQueue() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		behave("order-15", () -> {
			started.countDown();
			finish.await(60, TimeUnit.SECONDS);
		});
		ConfigurableApplicationContext app = start(OrderlyDlqListener.class);
		sendOrderly(app, new OrderPaid("order-15", "user-1"), "0");
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		sendOrderly(app, new OrderPaid("order-15", "user-1"), "1");
		// the duplicate keeps finding the key in progress for longer than maxReconsumeTimes x suspend (2 x 200 ms)
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "in_progress") >= 5);
		finish.countDown();
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(effects("orderly-dlq", "order-15")).isEqualTo(1);
	}

	@Test
	void aConcurrentInProgressDuplicateWaitsOnItsLastRedeliveryInsteadOfGoingToTheDeadLetterQueue()
			throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		behave("order-16", () -> {
			started.countDown();
			finish.await(60, TimeUnit.SECONDS);
		});
		ConfigurableApplicationContext app = start(LastChanceListener.class);
		send(app, new OrderPaid("order-16", "user-1"), "order-16", null);
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		send(app, new OrderPaid("order-16", "user-1"), "order-16", null);
		// refused once, then on its last redelivery (maxReconsumeTimes = 2) it waits: more refusals than retries
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "in_progress") >= 4);
		finish.countDown();
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(effects("last-chance", "order-16")).isEqualTo(1);
	}

	@Test
	void aMismatchRefusedOnAnOrderlyQueueIsDeadLetteredAfterMaxReconsumeTimesSoTheQueueMovesOn() {
		// with maxReconsumeTimes unlimited (the ORDERLY default) the refused message was retried in place every
		// second and the message behind it never ran: the listener needs a bound, and start-up says so
		ConfigurableApplicationContext app = start(
				List.of("idempotent.handlers.[OrderlyDlqListener.onMessage].on-payload-mismatch=refuse"),
				OrderlyDlqListener.class);
		sendOrderly(app, new OrderPaid("order-17", "user-1"), "0");
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("orderly-dlq", "order-17") == 1);
		sendOrderly(app, new OrderPaid("order-17", "user-2"), "0"); // the key reused with another body: refused
		sendOrderly(app, new OrderPaid("order-18", "user-1"), "0"); // behind it on the same queue
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("orderly-dlq", "order-18") == 1);
		assertThat(duplicates(app, "mismatch")).isGreaterThanOrEqualTo(1);
		assertThat(effects("orderly-dlq", "order-17")).isEqualTo(1);
	}

	@Test
	void aDuplicateDeliveryIsASpanLinkedToTheTraceOfTheDeliveryThatDidTheWork() {
		ConfigurableApplicationContext app = start(CouponListener.class, TracingTestConfiguration.class);
		send(app, new OrderPaid("order-19", "user-1"), "order-19", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("coupon", "order-19") == 1);
		send(app, new OrderPaid("order-19", "user-1"), "order-19", null);
		SimpleTracer tracer = app.getBean(SimpleTracer.class);
		String execution = "idempotent CouponListener.onMessage";
		await().atMost(Duration.ofSeconds(90))
			.until(() -> TracingTestConfiguration.spans(tracer, execution).size() >= 2);

		SimpleSpan executed = TracingTestConfiguration.spans(tracer, execution).get(0);
		SimpleSpan replayed = TracingTestConfiguration.spans(tracer, execution).get(1);
		assertThat(executed.getTags()).containsEntry("idempotent.outcome", "executed")
			.containsEntry("idempotent.source", "rocketmq")
			.containsEntry("idempotent.name", "CouponListener.onMessage")
			.doesNotContainKey("idempotent.key.hash");
		assertThat(TracingTestConfiguration.children(tracer, executed)).extracting((span) -> span.getName() + " "
				+ span.getTags().get("idempotent.result"))
			.containsExactly("idempotent store acquire acquired", "idempotent store complete ok");
		// each delivery is its own trace (rocketmq-spring 2.3.5 propagates none); the replay names the first
		assertThat(replayed.context().traceId()).isNotEqualTo(executed.context().traceId());
		assertThat(replayed.getTags()).containsEntry("idempotent.outcome", "replayed")
			.containsEntry("idempotent.original.trace.id", executed.context().traceId());
		assertThat(TracingTestConfiguration.children(tracer, replayed)).extracting((span) -> span.getName() + " "
				+ span.getTags().get("idempotent.result"))
			.containsExactly("idempotent store acquire completed");
		assertThat(effects("coupon", "order-19")).isEqualTo(1);

		IdempotencyEndpoint endpoint = new IdempotencyEndpoint(app.getBean(IdempotencyEngine.class),
				app.getBean(IdempotentMethodRegistry.class));
		assertThat(endpoint.record("CouponListener.onMessage", "order-19", null))
			.containsEntry("originalTraceId", executed.context().traceId());
	}

	@Configuration(proxyBeanMethods = false)
	static class SharedStore {

		@Bean
		IdempotencyStore sharedInMemoryStore() {
			return STORE;
		}

	}

	/** No key expression: the message id. */
	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "default-${test.topic}")
	public static class DefaultKeyListener extends EffectListener implements RocketMQListener<OrderPaid> {

		private final String topic;

		public DefaultKeyListener(Environment environment) {
			super("default", environment);
			this.topic = environment.getProperty("test.topic");
		}

		@Override
		@Idempotent
		public void onMessage(OrderPaid event) {
			RocketMQMessageContext.current()
				.ifPresent((message) -> DELIVERED.put(this.topic + ":" + event.orderId(), message));
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "strict-${test.topic}")
	public static class StrictCouponListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public StrictCouponListener(Environment environment) {
			super("strict", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId", name = "strict-coupon")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "orderly-dlq-${test.topic}",
			consumeMode = ConsumeMode.ORDERLY, maxReconsumeTimes = 2, suspendCurrentQueueTimeMillis = 200)
	public static class OrderlyDlqListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public OrderlyDlqListener(Environment environment) {
			super("orderly-dlq", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "last-chance-${test.topic}",
			maxReconsumeTimes = 2)
	public static class LastChanceListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public LastChanceListener(Environment environment) {
			super("last-chance", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

}
