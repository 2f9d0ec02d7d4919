package io.idempotent.autoconfigure.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.spring.annotation.ConsumeMode;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.apache.rocketmq.spring.core.RocketMQTemplate;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;
import org.apache.rocketmq.spring.support.RocketMQHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.messaging.support.MessageBuilder;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import io.idempotent.annotation.Idempotent;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.store.RecordState;
import io.idempotent.testsupport.EmbeddedRocketMQ;

/**
 * The RocketMQ guard against a real name server and broker running in this JVM. Every test counts the
 * handlers' effects (coupons, red packets), not log lines. Subclasses choose the store.
 */
abstract class RocketMQGuardTests {

	static final Map<String, AtomicInteger> EFFECTS = new ConcurrentHashMap<>();

	static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

	/** What the next runs for an order do before taking effect; empty means take effect at once. */
	static final Map<String, Deque<Behaviour>> BEHAVIOUR = new ConcurrentHashMap<>();

	private static final AtomicInteger TOPICS = new AtomicInteger();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	/** Consumer groups of the test listeners, each suffixed with the test's topic. */
	static final List<String> GROUPS = List.of("coupon", "red-packet", "tenant", "orderly", "default", "strict",
			"orderly-dlq", "last-chance");

	final String topic = getClass().getSimpleName().toLowerCase() + "-" + TOPICS.incrementAndGet();

	/**
	 * Store configuration for the application under test.
	 * @return property values
	 */
	abstract List<String> storeProperties();

	/**
	 * Extra configuration classes (a shared store bean, say).
	 * @return classes
	 */
	List<Class<?>> storeConfiguration() {
		return List.of();
	}

	@AfterEach
	void closeContexts() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void theSameBusinessKeySentThreeTimesTakesEffectOnce() {
		ConfigurableApplicationContext app = start(CouponListener.class);
		for (int i = 0; i < 3; i++) {
			send(app, new OrderPaid("order-1", "user-1"), "order-1", null);
		}
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 2);
		assertThat(effects("coupon", "order-1")).isEqualTo(1);
	}

	@Test
	void aFailedFirstDeliveryIsRedeliveredAndTakesEffectOnce() {
		behave("order-2", Behaviour.FAIL);
		ConfigurableApplicationContext app = start(CouponListener.class);
		send(app, new OrderPaid("order-2", "user-1"), "order-2", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("coupon", "order-2") == 1);
		assertThat(runs("coupon", "order-2")).isEqualTo(2);
		send(app, new OrderPaid("order-2", "user-1"), "order-2", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(effects("coupon", "order-2")).isEqualTo(1);
	}

	@Test
	void twoConsumerGroupsOnOneTopicEachTakeEffectOnce() {
		ConfigurableApplicationContext app = start(CouponListener.class, RedPacketListener.class);
		send(app, new OrderPaid("order-3", "user-1"), "order-3", null);
		send(app, new OrderPaid("order-3", "user-1"), "order-3", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 2);
		assertThat(effects("coupon", "order-3")).isEqualTo(1);
		assertThat(effects("red-packet", "order-3")).isEqualTo(1);
	}

	@Test
	void anInFlightDuplicateIsRedeliveredAndDoesTheWorkWhenTheFirstAttemptFails() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		behave("order-4", () -> {
			started.countDown();
			fail.await(30, TimeUnit.SECONDS);
			throw new IllegalStateException("payment provider timed out");
		});
		ConfigurableApplicationContext app = start(CouponListener.class);
		send(app, new OrderPaid("order-4", "user-1"), "order-4", null);
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		send(app, new OrderPaid("order-4", "user-1"), "order-4", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "in_progress") >= 1);
		fail.countDown();
		await().atMost(Duration.ofSeconds(90)).until(() -> effects("coupon", "order-4") == 1);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(duplicates(app, "in_progress")).isGreaterThanOrEqualTo(1);
		assertThat(effects("coupon", "order-4")).isEqualTo(1);
	}

	@Test
	void aSlowHandlerKeepsItsLeaseAliveAgainstADuplicate() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		behave("order-5", () -> {
			started.countDown();
			finish.await(30, TimeUnit.SECONDS);
		});
		ConfigurableApplicationContext app = start(CouponListener.class);
		send(app, new OrderPaid("order-5", "user-1"), "order-5", null);
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		long since = System.nanoTime();
		send(app, new OrderPaid("order-5", "user-1"), "order-5", null);
		// redeliveries about a second apart keep finding the key held, for longer than the 2 s lease
		await().atMost(Duration.ofSeconds(90))
			.until(() -> duplicates(app, "in_progress") >= 3 && System.nanoTime() - since > 2_500_000_000L);
		finish.countDown();
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1);
		assertThat(effects("coupon", "order-5")).isEqualTo(1);
		assertThat(runs("coupon", "order-5")).isEqualTo(1);
		assertThat(duplicates(app, "in_progress")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aConsumerStoppedMidHandlerIsTakenOverOnceTheLeaseExpires() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch crashed = new CountDownLatch(1);
		CountDownLatch ended = new CountDownLatch(1);
		behave("order-6", () -> {
			started.countDown();
			try {
				crashed.await(60, TimeUnit.SECONDS);
			}
			finally {
				ended.countDown();
			}
			throw new IllegalStateException("this consumer died before taking effect");
		});
		// a hung handler: graceful shutdown gives up on it after a second
		ConfigurableApplicationContext first = start(List.of("spring.lifecycle.timeout-per-shutdown-phase=1s"),
				CouponListener.class);
		send(first, new OrderPaid("order-6", "user-1"), "order-6", null);
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		first.close();
		ConfigurableApplicationContext second = start(CouponListener.class);
		await().atMost(Duration.ofSeconds(60)).until(() -> effects("coupon", "order-6") == 1);
		crashed.countDown();
		assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(effects("coupon", "order-6")).isEqualTo(1);
		assertThat(second.isActive()).isTrue();
	}

	@Test
	void closingTheContextMidHandlerLetsItFinishAndCompleteSoTheNextInstanceSkipsTheMessage() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch proceed = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		behave("order-10", () -> {
			started.countDown();
			proceed.await(30, TimeUnit.SECONDS);
			// the rest of the handler's work: it is still running when the context would otherwise be gone
			never.await(1500, TimeUnit.MILLISECONDS);
		});
		ConfigurableApplicationContext first = start(CouponListener.class);
		send(first, new OrderPaid("order-10", "user-1"), "order-10", null);
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		var containers = first.getBeansOfType(DefaultRocketMQListenerContainer.class).values();
		CountDownLatch closing = new CountDownLatch(1);
		first.addApplicationListener((ApplicationListener<ContextClosedEvent>) (event) -> closing.countDown());
		Thread closer = new Thread(first::close, "closer");
		closer.start();
		assertThat(closing.await(10, TimeUnit.SECONDS)).isTrue();
		// the close waits for the running handler ...
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(closer::isAlive);
		proceed.countDown();
		closer.join(30_000);
		assertThat(closer.isAlive()).isFalse();
		// ... which finished, and completed its key before the store went away
		assertThat(effects("coupon", "order-10")).isEqualTo(1);
		assertThat(containers).noneMatch(DefaultRocketMQListenerContainer::isRunning);
		ConfigurableApplicationContext second = start(CouponListener.class);
		IdempotencyKey key = IdempotencyKey.of("coupon-" + this.topic + ":CouponListener.onMessage", "order-10");
		assertThat(second.getBean(IdempotencyEngine.class).store().find(key))
			.hasValueSatisfying((record) -> assertThat(record.state()).isEqualTo(RecordState.COMPLETED));
		send(second, new OrderPaid("order-10", "user-1"), "order-10", null);
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(second, "completed") >= 1);
		assertThat(effects("coupon", "order-10")).isEqualTo(1);
		assertThat(runs("coupon", "order-10")).isEqualTo(1);
	}

	@Test
	void theKeyExpressionReadsMessageMetadataWithAPojoListener() {
		ConfigurableApplicationContext app = start(TenantListener.class);
		send(app, new OrderPaid("order-7", "user-1"), "k-1", "acme");
		send(app, new OrderPaid("order-7", "user-1"), "k-2", "acme");
		send(app, new OrderPaid("order-7", "user-1"), "k-3", "globex");
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "completed") >= 1
				&& effects("tenant-coupon", "order-7") == 2);
		String namespace = "tenant-" + this.topic + ":TenantListener.onMessage";
		var store = app.getBean(IdempotencyEngine.class).store();
		assertThat(store.find(IdempotencyKey.of(namespace, "acme:order-7:paid"))).isPresent();
		assertThat(store.find(IdempotencyKey.of(namespace, "globex:order-7:paid"))).isPresent();
	}

	@Test
	void anOrderlyConsumerMakesProgressOnceTheFirstAttemptFinishes() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		behave("order-8", () -> {
			started.countDown();
			fail.await(30, TimeUnit.SECONDS);
			throw new IllegalStateException("first attempt fails");
		});
		ConfigurableApplicationContext app = start(OrderlyCouponListener.class);
		sendOrderly(app, new OrderPaid("order-8", "user-1"), "0");
		assertThat(started.await(90, TimeUnit.SECONDS)).isTrue();
		sendOrderly(app, new OrderPaid("order-8", "user-1"), "1");
		await().atMost(Duration.ofSeconds(90)).until(() -> duplicates(app, "in_progress") >= 1);
		fail.countDown();
		await().atMost(Duration.ofSeconds(40)).until(() -> effects("orderly-coupon", "order-8") == 1
				&& duplicates(app, "completed") >= 1);
		assertThat(effects("orderly-coupon", "order-8")).isEqualTo(1);
	}

	ConfigurableApplicationContext start(Class<?>... listeners) {
		return start(List.of(), listeners);
	}

	ConfigurableApplicationContext start(List<String> extraProperties, Class<?>... listeners) {
		EmbeddedRocketMQ broker = EmbeddedRocketMQ.shared();
		List<String> groups = new ArrayList<>();
		for (String group : GROUPS) {
			groups.add(group + "-" + this.topic);
		}
		broker.createTopics(List.of(this.topic), groups);
		List<Object> sources = new ArrayList<>(List.of(TestApplication.class));
		sources.addAll(List.of(listeners));
		sources.addAll(storeConfiguration());
		List<String> properties = new ArrayList<>(List.of("rocketmq.name-server=" + broker.nameServer(),
				"rocketmq.producer.group=producer-" + this.topic, "test.topic=" + this.topic,
				"idempotent.defaults.lease=2s", "spring.main.banner-mode=off",
				"spring.lifecycle.timeout-per-shutdown-phase=10s"));
		properties.addAll(storeProperties());
		properties.addAll(extraProperties);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
		this.contexts.add(context);
		awaitQueuesAssigned(context);
		return context;
	}

	private static void awaitQueuesAssigned(ConfigurableApplicationContext context) {
		await().atMost(Duration.ofSeconds(90)).until(() -> context.getBeansOfType(DefaultRocketMQListenerContainer.class)
			.values()
			.stream()
			.allMatch((c) -> !c.getConsumer().getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable()
				.isEmpty()));
	}

	void sendOrderly(ConfigurableApplicationContext app, OrderPaid event, String queueHashKey) {
		app.getBean(RocketMQTemplate.class).syncSendOrderly(this.topic + ":paid",
				MessageBuilder.withPayload(event).build(), queueHashKey);
	}

	void send(ConfigurableApplicationContext app, OrderPaid event, String keys, String tenant) {
		MessageBuilder<OrderPaid> message = MessageBuilder.withPayload(event).setHeader(RocketMQHeaders.KEYS, keys);
		if (tenant != null) {
			message.setHeader("tenant", tenant);
		}
		app.getBean(RocketMQTemplate.class).syncSend(this.topic + ":paid", message.build());
	}

	int effects(String what, String orderId) {
		return EFFECTS.getOrDefault(what + ":" + this.topic + ":" + orderId, new AtomicInteger()).get();
	}

	int runs(String what, String orderId) {
		return RUNS.getOrDefault(what + ":" + this.topic + ":" + orderId, new AtomicInteger()).get();
	}

	void behave(String orderId, Behaviour... behaviours) {
		BEHAVIOUR.put(this.topic + ":" + orderId, new ConcurrentLinkedDeque<>(List.of(behaviours)));
	}

	static double duplicates(ConfigurableApplicationContext app, String state) {
		return Search.in(app.getBean(MeterRegistry.class)).name("idempotent.duplicates").tag("state", state)
			.counters().stream().mapToDouble((c) -> c.count()).sum();
	}

	/** What a run does before taking effect. */
	interface Behaviour {

		Behaviour FAIL = () -> {
			throw new IllegalStateException("first delivery fails");
		};

		void run() throws Exception;

	}

	record OrderPaid(String orderId, String userId) {
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

	/** Base of the test listeners: runs the scripted behaviour, then takes effect once per run. */
	abstract static class EffectListener {

		private final String what;

		private final String topic;

		EffectListener(String what, org.springframework.core.env.Environment environment) {
			this.what = what;
			this.topic = environment.getProperty("test.topic");
		}

		void handle(OrderPaid event) {
			String topic = this.topic;
			String id = this.what + ":" + topic + ":" + event.orderId();
			RUNS.computeIfAbsent(id, (k) -> new AtomicInteger()).incrementAndGet();
			Deque<Behaviour> script = BEHAVIOUR.get(topic + ":" + event.orderId());
			Behaviour next = (script != null) ? script.poll() : null;
			if (next != null) {
				try {
					next.run();
				}
				catch (RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}
			EFFECTS.computeIfAbsent(id, (k) -> new AtomicInteger()).incrementAndGet();
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "coupon-${test.topic}")
	public static class CouponListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public CouponListener(org.springframework.core.env.Environment environment) {
			super("coupon", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "red-packet-${test.topic}")
	public static class RedPacketListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public RedPacketListener(org.springframework.core.env.Environment environment) {
			super("red-packet", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "tenant-${test.topic}")
	public static class TenantListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public TenantListener(org.springframework.core.env.Environment environment) {
			super("tenant-coupon", environment);
		}

		@Override
		@Idempotent(key = "#properties['tenant'] + ':' + #event.orderId + ':' + #tags")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

	@RocketMQMessageListener(topic = "${test.topic}", consumerGroup = "orderly-${test.topic}",
			consumeMode = ConsumeMode.ORDERLY)
	public static class OrderlyCouponListener extends EffectListener implements RocketMQListener<OrderPaid> {

		public OrderlyCouponListener(org.springframework.core.env.Environment environment) {
			super("orderly-coupon", environment);
		}

		@Override
		@Idempotent(key = "#event.orderId")
		public void onMessage(OrderPaid event) {
			handle(event);
		}

	}

}
