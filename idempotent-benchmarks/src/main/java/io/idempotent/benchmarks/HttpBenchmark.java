package io.idempotent.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.idempotent.testsupport.TestRedis;

/**
 * The HTTP guard over real HTTP on embedded Tomcat, at a fixed concurrency of 8 keep-alive connections: the
 * guarded endpoint with a unique key per request and with replays of one completed key, against the same
 * handler unguarded in the same application, on the memory and the Redis store; and the unguarded endpoint of
 * an application that has guarded ones against the same endpoint in the application without the guard (the
 * filter's cost for everyone else); on Redis also against the same handler sending the store's own two scripts
 * itself, so the ratio leaves the guard's own cost beyond its round trips. The sides of each row alternate over
 * two runs. Allocation is the server side's (every thread but the client's) per request.
 */
final class HttpBenchmark {

	private static final int CONNECTIONS = 8;

	private static final String JSON = "{\"orderId\":\"o-123456\",\"amount\":4200}";

	private final BenchmarkMode mode;

	private final Report report;

	private final AtomicLong keys = new AtomicLong();

	HttpBenchmark(BenchmarkMode mode, Report report) {
		this.mode = mode;
		this.report = report;
	}

	void run() throws Exception {
		try (ConfigurableApplicationContext memory = start("memory", true);
				ConfigurableApplicationContext unguardedApp = start("memory", false)) {
			Side withoutGuard = new Side();
			Side plain = new Side();
			Side unique = new Side();
			Side replay = new Side();
			for (Endpoint endpoint : Endpoint.values()) {
				if (endpoint != Endpoint.RAW) { // the raw round trips are Redis's
					measure(new Side(), port(memory), endpoint, true);
				}
			}
			measure(new Side(), port(unguardedApp), Endpoint.PLAIN, true);
			for (int run = 0; run < this.mode.runs(); run++) {
				measure(withoutGuard, port(unguardedApp), Endpoint.PLAIN, false);
				measure(plain, port(memory), Endpoint.PLAIN, false);
				measure(unique, port(memory), Endpoint.UNIQUE, false);
				measure(replay, port(memory), Endpoint.REPLAY, false);
			}
			rows("memory store", plain, unique, replay);
			this.report.alternated("HTTP POST, unguarded endpoint", "in an app with guarded endpoints vs in one without the guard",
					"8 connections", withoutGuard.runs, plain.runs, "req/s", plain.allocation(withoutGuard),
					"the filter's cost for every other request");
			this.report.atLeast("5. HTTP unguarded endpoint, app with the guard vs without (cost ≤ 2%)",
					plain.runs.mean() / withoutGuard.runs.mean(), 0.98, Runs.spread(withoutGuard.runs, plain.runs));
		}
		try (ConfigurableApplicationContext redis = start("redis", true)) {
			Side plain = new Side();
			Side raw = new Side();
			Side unique = new Side();
			Side replay = new Side();
			for (Endpoint endpoint : Endpoint.values()) {
				measure(new Side(), port(redis), endpoint, true);
			}
			for (int run = 0; run < this.mode.runs(); run++) {
				measure(plain, port(redis), Endpoint.PLAIN, false);
				measure(raw, port(redis), Endpoint.RAW, false);
				measure(unique, port(redis), Endpoint.UNIQUE, false);
				measure(replay, port(redis), Endpoint.REPLAY, false);
			}
			rows("Redis store", plain, unique, replay);
			this.report.alternated("HTTP POST, Redis store",
					"guarded, unique key per request vs same handler sending the store's two scripts itself",
					"8 connections", raw.runs, unique.runs, "req/s", unique.allocation(raw),
					"the guard's own cost beyond its round trips");
		}
	}

	private void rows(String store, Side plain, Side unique, Side replay) {
		this.report.alternated("HTTP POST, " + store, "guarded, unique key per request vs same handler unguarded",
				"8 connections", plain.runs, unique.runs, "req/s", unique.allocation(plain), "handler runs = requests");
		this.report.alternated("HTTP POST, " + store, "guarded, replays of one completed key vs same handler unguarded",
				"8 connections", plain.runs, replay.runs, "req/s", replay.allocation(plain),
				"every measured response a replay");
	}

	/** One measurement; a warm-up one (JIT, Tomcat's and the store's first calls) is as long as the mode's warm-up and counts nowhere. */
	private void measure(Side side, int port, Endpoint endpoint, boolean warmUp) throws Exception {
		if (warmUp && this.mode.smoke()) {
			return;
		}
		Map<Thread, KeepAliveHttpClient> clients = new ConcurrentHashMap<>();
		AtomicLong requests = new AtomicLong();
		AtomicLong notReplayed = new AtomicLong();
		String replayKey = "replay-" + this.keys.incrementAndGet();
		long runsBefore = HttpBenchApplication.GUARDED_RUNS.get();
		if (endpoint == Endpoint.REPLAY) {
			try (KeepAliveHttpClient first = new KeepAliveHttpClient("127.0.0.1", port)) {
				expect(first.post(endpoint.path, replayKey, JSON), endpoint);
			}
		}
		long[] window = new long[2];
		Map<Long, Long>[] allocation = new Map[1];
		long[] bytes = new long[1];
		LoadResult result;
		try {
			result = LoadRunner.run(CONNECTIONS, this.mode.httpWarmup(), warmUp ? this.mode.httpWarmup() : this.mode.httpMeasure(), (sequence) -> {
				KeepAliveHttpClient client = clients.computeIfAbsent(Thread.currentThread(),
						(thread) -> new KeepAliveHttpClient("127.0.0.1", port));
				String key = switch (endpoint) {
					case UNIQUE -> "u-" + sequence + "-" + replayKey;
					case REPLAY -> replayKey;
					case PLAIN -> "p-" + sequence;
					case RAW -> "r-" + sequence + "-" + replayKey;
				};
				expect(client.post(endpoint.path, key, JSON), endpoint);
				requests.incrementAndGet();
				if (endpoint == Endpoint.REPLAY && !client.replayed()) {
					notReplayed.incrementAndGet();
				}
			}, new LoadRunner.Window() {

				@Override
				public void opened() {
					window[0] = requests.get();
					allocation[0] = ServerAllocation.snapshot();
				}

				@Override
				public void closed() {
					bytes[0] = ServerAllocation.since(allocation[0]);
					window[1] = requests.get();
				}

			});
		}
		finally {
			clients.values().forEach(KeepAliveHttpClient::close);
		}
		long ran = HttpBenchApplication.GUARDED_RUNS.get() - runsBefore;
		if (endpoint == Endpoint.UNIQUE && ran != requests.get()) {
			throw new IllegalStateException("The guarded handler ran " + ran + " times for " + requests.get()
					+ " requests with unique keys");
		}
		if (endpoint == Endpoint.REPLAY && (notReplayed.get() > 0 || ran != 1)) {
			throw new IllegalStateException(notReplayed.get() + " responses to one completed key were not replays; "
					+ "the handler ran " + ran + " times");
		}
		side.runs.add(result);
		side.bytes.add(bytes[0] / (double) Math.max(1, window[1] - window[0]));
	}

	private static void expect(int status, Endpoint endpoint) {
		if (status != 200) {
			throw new IllegalStateException("POST " + endpoint.path + " answered " + status);
		}
	}

	private static int port(ConfigurableApplicationContext app) {
		return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
	}

	/**
	 * The application, or without {@code guard} the same application with none of the idempotent
	 * auto-configurations on its class path's behalf (no filter, no interceptor, no store bean at all); on the
	 * Redis store with the raw round-trips endpoint too.
	 */
	private static ConfigurableApplicationContext start(String store, boolean guard) {
		String excluded = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
				+ (guard ? "" : "," + WITHOUT_GUARD);
		SpringApplicationBuilder builder = new SpringApplicationBuilder(HttpBenchApplication.class);
		if (store.equals("redis")) {
			builder.sources(HttpBenchApplication.RawRoundTripsController.class);
		}
		return builder
			.properties("server.port=0", "server.address=127.0.0.1", "server.tomcat.max-keep-alive-requests=-1",
					"server.tomcat.threads.max=16", "idempotent.store.type=" + store,
					"spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
					"spring.main.banner-mode=off", "spring.application.name=http-bench-" + store + "-" + guard,
					"idempotent.logging.duplicate-summary-interval=0", "spring.autoconfigure.exclude=" + excluded)
			.run();
	}

	private static final String WITHOUT_GUARD = String.join(",", "io.idempotent.autoconfigure.IdempotentStoreAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentMetricsAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentObservationAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentRocketMQAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentWebAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentAutoConfiguration",
			"io.idempotent.autoconfigure.IdempotentEndpointAutoConfiguration",
			"io.idempotent.autoconfigure.openapi.IdempotentOpenApiAutoConfiguration");

	private enum Endpoint {

		PLAIN("/orders/p"), RAW("/orders/r"), UNIQUE("/orders/g"), REPLAY("/orders/g");

		private final String path;

		Endpoint(String path) {
			this.path = path;
		}

	}

	/** One side of a row over its runs, with the server's bytes allocated per request in each. */
	private static final class Side {

		private final Runs runs = new Runs();

		private final List<Double> bytes = new ArrayList<>();

		double bytesPerRequest() {
			return this.bytes.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
		}

		String allocation(Side baseline) {
			return String.format(Locale.ROOT, "%+,.0f B/req (%,.0f → %,.0f)", bytesPerRequest() - baseline.bytesPerRequest(),
					baseline.bytesPerRequest(), bytesPerRequest());
		}

	}

}
