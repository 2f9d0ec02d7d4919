package io.idempotent.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.annotation.Idempotent;

/**
 * The listeners the RocketMQ benchmark drains backlogs with, each on its own topic and consumer group
 * ({@code bench.topic.<name>}, {@code bench.group.<name>}): a no-op handler behind the guard and the same
 * handler unguarded but issuing the guard's raw Redis round trips; a realistic handler (one INSERT into
 * PostgreSQL) behind the guard (Redis store), unguarded, and guarded in commit-with-transaction mode (JDBC
 * store on the same database, the INSERT in the completion's transaction). Each counts its effects.
 */
final class RocketMQConsumers {

	/** Handler runs of the no-op listeners since the last reset. */
	static final AtomicLong RAW_EFFECTS = new AtomicLong();

	static final AtomicLong GUARDED_EFFECTS = new AtomicLong();

	static final String INSERT = "INSERT INTO bench_effect (run_id, order_id) VALUES (?, ?)";

	private RocketMQConsumers() {
	}

	/** An order event; {@code run} names the backlog it belongs to. */
	public record OrderPaid(String orderId, String run) {
	}

	/** The consumers whose guarded ones use the Redis store. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class RedisStoreApplication {

		@Bean
		RawRedisRoundTrips rawRedisRoundTrips(RedisConnectionFactory connectionFactory) {
			return new RawRedisRoundTrips(connectionFactory, "group-raw-noop:RawNoopListener.onMessage");
		}

	}

	/** The consumer guarded in commit-with-transaction mode on the JDBC store. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class JdbcStoreApplication {

	}

	/**
	 * No guard; the guard's Redis round trips issued directly, with the guard's answers: a new key runs, a
	 * completed one is acknowledged, one still running is refused (thrown, so the broker redelivers it).
	 */
	@RocketMQMessageListener(topic = "${bench.topic.raw-noop}", consumerGroup = "${bench.group.raw-noop}")
	public static class RawNoopListener implements RocketMQListener<OrderPaid> {

		private final RawRedisRoundTrips redis;

		public RawNoopListener(RawRedisRoundTrips redis) {
			this.redis = redis;
		}

		@Override
		public void onMessage(OrderPaid event) {
			switch (this.redis.claimAndComplete(event.orderId())) {
				case RAN -> RAW_EFFECTS.incrementAndGet();
				case COMPLETED -> {
				}
				// as the guard does: a duplicate of a run still going is not acknowledged, it comes back later
				case IN_PROGRESS -> throw new InProgressDuplicate();
			}
		}

	}

	/** The raw listener's refusal of a duplicate whose first delivery still runs; no stack trace, as the guard's. */
	static final class InProgressDuplicate extends RuntimeException {

		InProgressDuplicate() {
			super("in progress", null, false, false);
		}

	}

	/** The guard (Redis store) around a handler that does nothing. */
	@RocketMQMessageListener(topic = "${bench.topic.guarded-noop}", consumerGroup = "${bench.group.guarded-noop}")
	public static class GuardedNoopListener implements RocketMQListener<OrderPaid> {

		@Override
		@Idempotent(key = "#singleKey")
		public void onMessage(OrderPaid event) {
			GUARDED_EFFECTS.incrementAndGet();
		}

	}

	/** One INSERT per message, no guard. */
	@RocketMQMessageListener(topic = "${bench.topic.plain-insert}", consumerGroup = "${bench.group.plain-insert}")
	public static class PlainInsertListener implements RocketMQListener<OrderPaid> {

		private final JdbcTemplate jdbc;

		public PlainInsertListener(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Override
		public void onMessage(OrderPaid event) {
			this.jdbc.update(INSERT, event.run(), event.orderId());
		}

	}

	/** The same INSERT behind the guard on the Redis store. */
	@RocketMQMessageListener(topic = "${bench.topic.guarded-insert}", consumerGroup = "${bench.group.guarded-insert}")
	public static class GuardedInsertListener implements RocketMQListener<OrderPaid> {

		private final JdbcTemplate jdbc;

		public GuardedInsertListener(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Override
		@Idempotent(key = "#singleKey")
		public void onMessage(OrderPaid event) {
			this.jdbc.update(INSERT, event.run(), event.orderId());
		}

	}

	/** The same INSERT behind the guard on the JDBC store, committed with the completion. */
	@RocketMQMessageListener(topic = "${bench.topic.tx-insert}", consumerGroup = "${bench.group.tx-insert}")
	public static class TransactionalInsertListener implements RocketMQListener<OrderPaid> {

		private final JdbcTemplate jdbc;

		public TransactionalInsertListener(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Override
		@Idempotent(key = "#singleKey", commitWithTransaction = true)
		public void onMessage(OrderPaid event) {
			this.jdbc.update(INSERT, event.run(), event.orderId());
		}

	}

}
