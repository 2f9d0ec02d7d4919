package io.idempotent.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import io.idempotent.annotation.Idempotent;
import io.idempotent.testsupport.EmbeddedRocketMQ;
import io.idempotent.testsupport.TestRedis;

/**
 * Consumer throughput on the embedded broker: the same backlog of messages drained by an unguarded and by a
 * guarded listener (Redis store), without and with 20% duplicates (messages repeating an earlier business
 * key). Throughput counts from the first delivery handled to the last, so consumer start-up is left out.
 */
final class RocketMQBenchmark {

	static final AtomicLong HANDLED = new AtomicLong();

	static volatile long firstNanos;

	static volatile long lastNanos;

	private static final AtomicLong RUNS = new AtomicLong();

	private final BenchmarkMode mode;

	private final Report report;

	RocketMQBenchmark(BenchmarkMode mode, Report report) {
		this.mode = mode;
		this.report = report;
	}

	void run() throws Exception {
		EmbeddedRocketMQ broker = EmbeddedRocketMQ.shared();
		int messages = this.mode.messages();
		double plain = drain(broker, PlainListener.class, messages, 0);
		double guarded = drain(broker, GuardedListener.class, messages, 0);
		this.report.messages("all distinct keys", messages, plain, guarded, "");
		double plainWithDuplicates = drain(broker, PlainListener.class, messages, 5);
		double guardedWithDuplicates = drain(broker, GuardedListener.class, messages, 5);
		this.report.messages("20% duplicates", messages, plainWithDuplicates, guardedWithDuplicates,
				"(guarded ran the handler " + EFFECTS_OF_LAST_GUARDED_RUN.get() + " times) ");
	}

	static final AtomicLong EFFECTS_OF_LAST_GUARDED_RUN = new AtomicLong();

	private double drain(EmbeddedRocketMQ broker, Class<?> listener, int messages, int duplicateEvery)
			throws Exception {
		String topic = "bench-" + RUNS.incrementAndGet() + "-" + System.nanoTime();
		String group = "group-" + topic;
		broker.createTopics(List.of(topic), List.of(group));
		produce(broker, topic, messages, duplicateEvery);
		HANDLED.set(0);
		firstNanos = 0;
		lastNanos = 0;
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ConsumerApplication.class, listener)
			.web(WebApplicationType.NONE)
			.properties("rocketmq.name-server=" + broker.nameServer(), "bench.topic=" + topic, "bench.group=" + group,
					"idempotent.store.type=redis", "spring.data.redis.host=" + TestRedis.host(),
					"spring.data.redis.port=" + TestRedis.port(), "spring.main.banner-mode=off",
					"spring.application.name=bench",
					"spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
			.run()) {
			MeterRegistry meters = app.getBean(MeterRegistry.class);
			long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
			while (HANDLED.get() + duplicates(meters) < messages) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Only " + HANDLED.get() + " of " + messages + " handled");
				}
				Thread.sleep(20);
			}
			if (listener == GuardedListener.class) {
				EFFECTS_OF_LAST_GUARDED_RUN.set(HANDLED.get());
			}
			long elapsed = Math.max(1, lastNanos - firstNanos);
			return (messages - 1) / (elapsed / 1e9);
		}
	}

	private static double duplicates(MeterRegistry meters) {
		return Search.in(meters).name("idempotent.duplicates").counters().stream().mapToDouble((c) -> c.count()).sum();
	}

	private static void produce(EmbeddedRocketMQ broker, String topic, int messages, int duplicateEvery)
			throws Exception {
		DefaultMQProducer producer = new DefaultMQProducer("producer-" + topic);
		producer.setNamesrvAddr(broker.nameServer());
		producer.start();
		try {
			for (int i = 0; i < messages; i++) {
				int order = (duplicateEvery > 0 && i % duplicateEvery == duplicateEvery - 1) ? i - 1 : i;
				String body = "{\"orderId\":\"o-" + order + "\"}";
				Message message = new Message(topic, "paid", "o-" + order, body.getBytes(StandardCharsets.UTF_8));
				producer.send(message);
			}
		}
		finally {
			producer.shutdown();
		}
	}

	static void handled() {
		long now = System.nanoTime();
		if (HANDLED.incrementAndGet() == 1) {
			firstNanos = now;
		}
		lastNanos = now;
	}

	/** An order event. */
	public record OrderPaid(String orderId) {
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ConsumerApplication {

	}

	/** Consumes without a guard. */
	@RocketMQMessageListener(topic = "${bench.topic}", consumerGroup = "${bench.group}")
	public static class PlainListener implements RocketMQListener<OrderPaid> {

		@Override
		public void onMessage(OrderPaid event) {
			handled();
		}

	}

	/** Consumes with the guard: the single value of the message keys is the business key. */
	@RocketMQMessageListener(topic = "${bench.topic}", consumerGroup = "${bench.group}")
	public static class GuardedListener implements RocketMQListener<OrderPaid> {

		@Override
		@Idempotent(key = "#singleKey")
		public void onMessage(OrderPaid event) {
			handled();
		}

	}

}
