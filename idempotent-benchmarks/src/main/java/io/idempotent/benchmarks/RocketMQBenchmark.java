package io.idempotent.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.spring.support.DefaultRocketMQListenerContainer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.testsupport.EmbeddedRocketMQ;
import io.idempotent.testsupport.TestDatabases;
import io.idempotent.testsupport.TestRedis;

/**
 * Consumer throughput end to end on the embedded broker. Every listener first drains a warm-up backlog
 * (left out; its rate sizes the measured backlogs so that each run lasts at least the mode's
 * {@code messageRun}). Then each row alternates its sides over two runs, each draining a fresh backlog
 * produced while its consumer was suspended, and counts the effects (handler runs, PostgreSQL rows) against
 * what the backlog must give. Rows: a no-op handler guarded (Redis store) against an unguarded listener making
 * the guard's raw Redis round trips, with distinct keys and with 20% producer resends; one INSERT into
 * PostgreSQL per message guarded by the Redis store, and in commit-with-transaction mode on the JDBC store,
 * against the same INSERT unguarded.
 */
final class RocketMQBenchmark {

	private static final String[] LISTENERS = { "raw-noop", "guarded-noop", "plain-insert", "guarded-insert",
			"tx-insert" };

	private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

	/** A resend repeats the key of a message this many places earlier (long completed by then). */
	private static final int RESEND_DISTANCE = 999;

	private final BenchmarkMode mode;

	private final Report report;

	private final String id = UUID.randomUUID().toString().substring(0, 8);

	private final AtomicLong backlogs = new AtomicLong();

	private final Map<String, BacklogDrain> drains = new HashMap<>();

	private DefaultMQProducer producer;

	private JdbcTemplate postgres;

	RocketMQBenchmark(BenchmarkMode mode, Report report) {
		this.mode = mode;
		this.report = report;
	}

	void run() throws Exception {
		EmbeddedRocketMQ broker = EmbeddedRocketMQ.shared();
		DataSource dataSource = TestDatabases.postgres();
		this.postgres = new JdbcTemplate(dataSource);
		this.postgres.execute("DROP TABLE IF EXISTS bench_effect");
		this.postgres.execute("CREATE TABLE bench_effect (id BIGSERIAL PRIMARY KEY, run_id VARCHAR(40) NOT NULL, "
				+ "order_id VARCHAR(80) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
		List<String> topics = new ArrayList<>();
		List<String> groups = new ArrayList<>();
		for (String name : LISTENERS) {
			topics.add(topic(name));
			groups.add(group(name));
		}
		broker.createTopics(topics, groups);
		this.producer = new DefaultMQProducer("bench-producer-" + this.id);
		this.producer.setNamesrvAddr(broker.nameServer());
		this.producer.start();
		try (ConfigurableApplicationContext redisApp = start(broker, dataSource,
				RocketMQConsumers.RedisStoreApplication.class, "redis", RocketMQConsumers.RawNoopListener.class,
				RocketMQConsumers.GuardedNoopListener.class, RocketMQConsumers.PlainInsertListener.class,
				RocketMQConsumers.GuardedInsertListener.class);
				ConfigurableApplicationContext jdbcApp = start(broker, dataSource,
						RocketMQConsumers.JdbcStoreApplication.class, "jdbc",
						RocketMQConsumers.TransactionalInsertListener.class)) {
			attach(redisApp);
			attach(jdbcApp);
			Map<String, Double> warm = new HashMap<>();
			for (String name : LISTENERS) {
				// smoke mode's backlogs are fixed: no warm-up to size them
				warm.put(name, this.mode.smoke() ? 0 : drain(name, this.mode.messages(), false).perSecond());
			}
			noopRows(warm);
			insertRows(warm);
		}
		finally {
			this.producer.shutdown();
		}
	}

	private void noopRows(Map<String, Double> warm) throws Exception {
		for (boolean resends : new boolean[] { false, true }) {
			// one size for both (the faster warm-up's): the first listener warmed up is the coldest
			long rawBacklog = Math.max(backlog(warm, "raw-noop"), backlog(warm, "guarded-noop"));
			long guardedBacklog = rawBacklog;
			Runs raw = new Runs();
			Runs guarded = new Runs();
			double shortest = Double.MAX_VALUE;
			for (int run = 0; run < this.mode.runs(); run++) {
				RocketMQConsumers.RAW_EFFECTS.set(0);
				Backlog rawRun = drain("raw-noop", rawBacklog, resends);
				rawRun.expect("raw handler runs", RocketMQConsumers.RAW_EFFECTS.get(), rawRun.distinct());
				raw.add(rawRun.perSecond());
				RocketMQConsumers.GUARDED_EFFECTS.set(0);
				Backlog guardedRun = drain("guarded-noop", guardedBacklog, resends);
				guardedRun.expect("guarded handler runs", RocketMQConsumers.GUARDED_EFFECTS.get(), guardedRun.distinct());
				guarded.add(guardedRun.perSecond());
				shortest = Math.min(shortest, Math.min(rawRun.drained().measuredSeconds(), guardedRun.drained().measuredSeconds()));
			}
			String scenario = resends ? "no-op handler, 20% producer resends" : "no-op handler, distinct keys";
			this.report.alternated("RocketMQ end to end, Redis store vs its raw round trips", scenario, "20 consumer",
					raw, guarded, "msgs/s", "—", notes(rawBacklog + " raw / " + guardedBacklog + " guarded", shortest,
							"handler runs = distinct keys in every run"));
			this.report.atLeast("4. RocketMQ, " + scenario + ", guarded vs raw round trips", guarded.mean() / raw.mean(),
					0.90, Runs.spread(raw, guarded));
		}
	}

	private void insertRows(Map<String, Double> warm) throws Exception {
		Map<String, Long> backlogs = new HashMap<>();
		for (String name : new String[] { "plain-insert", "guarded-insert", "tx-insert" }) {
			backlogs.put(name, backlog(warm, name));
		}
		Runs plain = new Runs();
		Runs redis = new Runs();
		Runs transactional = new Runs();
		double shortest = Double.MAX_VALUE;
		for (int run = 0; run < this.mode.runs(); run++) {
			for (String name : new String[] { "plain-insert", "guarded-insert", "tx-insert" }) {
				Backlog drained = drain(name, backlogs.get(name), false);
				drained.expect("PostgreSQL rows", this.postgres.queryForObject(
						"SELECT COUNT(*) FROM bench_effect WHERE run_id = ?", Long.class, drained.run()), drained.distinct());
				(name.equals("plain-insert") ? plain : name.equals("guarded-insert") ? redis : transactional)
					.add(drained.perSecond());
				shortest = Math.min(shortest, drained.drained().measuredSeconds());
			}
		}
		String notes = notes(backlogs.get("plain-insert") + " unguarded / " + backlogs.get("guarded-insert") + " Redis / "
				+ backlogs.get("tx-insert") + " transactional", shortest, "PostgreSQL rows = messages in every run");
		this.report.alternated("RocketMQ end to end, one INSERT into PostgreSQL", "guarded by the Redis store",
				"20 consumer", plain, redis, "msgs/s", "—", notes);
		this.report.alternated("RocketMQ end to end, one INSERT into PostgreSQL",
				"guarded, commit-with-transaction (JDBC store, same database)", "20 consumer", plain, transactional,
				"msgs/s", "—", notes);
		this.report.atLeast("4. RocketMQ, INSERT handler, Redis store vs unguarded", redis.mean() / plain.mean(), 0.80,
				Runs.spread(plain, redis));
	}

	private String notes(String backlogs, double shortestSeconds, String effects) {
		return String.format(Locale.ROOT, "backlog per run %s messages, after a warm-up backlog of %,d; shortest steady-state "
				+ "window %.1f s%s; %s", backlogs, this.mode.messages(), shortestSeconds,
				(shortestSeconds < this.mode.messageRun().toMillis() / 1000.0) ? " (**shorter than wanted**)" : "",
				effects);
	}

	/**
	 * Messages for a run of at least {@code messageRun} at the listener's warm-up rate, the 10% steady-state skip
	 * included, with a margin of 1.6 since the rate of a shared machine drifts between minutes.
	 */
	private long backlog(Map<String, Double> warm, String listener) {
		if (this.mode.messageRun().isZero()) {
			return this.mode.messages();
		}
		long messages = (long) (warm.get(listener) * this.mode.messageRun().toMillis() / 1000.0 / 0.9 * 1.6);
		return Math.min(1_000_000, Math.max(this.mode.messages(), (messages / 1000 + 1) * 1000));
	}

	private Backlog drain(String listener, long messages, boolean resends) throws Exception {
		String run = "r" + this.backlogs.incrementAndGet() + "-" + this.id;
		BacklogDrain consumer = this.drains.get(listener);
		consumer.arm(messages);
		int distinct = produce(topic(listener), run, messages, resends);
		BacklogDrain.Drained drained = consumer.drain(DRAIN_TIMEOUT);
		return new Backlog(run, distinct, drained);
	}

	/** Produces the backlog in batches; returns the number of distinct keys in it. */
	private int produce(String topic, String run, long messages, boolean resends) throws Exception {
		HashSet<String> keys = new HashSet<>();
		List<Message> batch = new ArrayList<>();
		for (long i = 0; i < messages; i++) {
			long order = (resends && i % 5 == 4) ? ((i >= RESEND_DISTANCE) ? i - RESEND_DISTANCE : i - 4) : i;
			String key = "o-" + run + "-" + order;
			keys.add(key);
			String body = "{\"orderId\":\"" + key + "\",\"run\":\"" + run + "\"}";
			batch.add(new Message(topic, "paid", key, body.getBytes(StandardCharsets.UTF_8)));
			if (batch.size() == 128 || i == messages - 1) {
				this.producer.send(batch);
				batch = new ArrayList<>();
			}
		}
		return keys.size();
	}

	private ConfigurableApplicationContext start(EmbeddedRocketMQ broker, DataSource dataSource, Class<?> application,
			String store, Class<?>... listeners) {
		HikariDataSource pool = (HikariDataSource) dataSource;
		List<String> properties = new ArrayList<>(List.of("rocketmq.name-server=" + broker.nameServer(),
				"idempotent.store.type=" + store, "spring.data.redis.host=" + TestRedis.host(),
				"spring.data.redis.port=" + TestRedis.port(), "spring.datasource.url=" + pool.getJdbcUrl(),
				"spring.datasource.username=" + pool.getUsername(),
				"spring.datasource.password=" + ((pool.getPassword() != null) ? pool.getPassword() : ""),
				"spring.datasource.hikari.maximum-pool-size=24", "idempotent.store.jdbc.table-name=bench_idempotency",
				"idempotent.store.jdbc.initialize-schema=always", "spring.main.banner-mode=off",
				"spring.application.name=bench-" + store, "idempotent.logging.duplicate-summary-interval=0"));
		for (String name : LISTENERS) {
			properties.add("bench.topic." + name + "=" + topic(name));
			properties.add("bench.group." + name + "=" + group(name));
		}
		Class<?>[] sources = new Class<?>[listeners.length + 1];
		sources[0] = application;
		System.arraycopy(listeners, 0, sources, 1, listeners.length);
		return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	private void attach(ConfigurableApplicationContext app) {
		app.getBeansOfType(DefaultRocketMQListenerContainer.class).values().forEach((container) -> {
			for (String name : LISTENERS) {
				if (topic(name).equals(container.getTopic())) {
					this.drains.put(name, new BacklogDrain(container.getConsumer()));
				}
			}
		});
	}

	private String topic(String listener) {
		return "bench-" + listener + "-" + this.id;
	}

	private String group(String listener) {
		return "group-" + listener + "-" + this.id;
	}

	/** One drained backlog, its distinct keys and the name its effects carry. */
	private record Backlog(String run, int distinct, BacklogDrain.Drained drained) {

		double perSecond() {
			return this.drained.perSecond();
		}

		void expect(String effects, long counted, long wanted) {
			if (counted != wanted) {
				throw new IllegalStateException(effects + " of backlog " + this.run + ": " + counted + ", wanted "
						+ wanted + " (the backlog was not drained exactly once)");
			}
		}

	}

}
