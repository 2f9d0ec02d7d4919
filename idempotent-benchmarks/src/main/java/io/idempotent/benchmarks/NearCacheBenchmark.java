package io.idempotent.benchmarks;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import io.idempotent.annotation.Idempotent;
import io.idempotent.testsupport.TestRedis;

/**
 * Duplicates of one completed key through a guarded bean on the Redis store, with the near-cache on
 * ({@code idempotent.near-cache.enabled=true}) against the store round trip (near-cache off), as the
 * auto-configuration wires them. Skipped, with "near-cache not available", while the auto-configuration has no
 * {@code idempotent.near-cache} properties (checked on {@code IdempotentProperties#getNearCache}). Besides the
 * throughput it reports the store claims per duplicate, which must be about 0 with the near-cache on.
 */
final class NearCacheBenchmark {

	static final String PROPERTY = "idempotent.near-cache.enabled";

	private final BenchmarkMode mode;

	private final Report report;

	NearCacheBenchmark(BenchmarkMode mode, Report report) {
		this.mode = mode;
		this.report = report;
	}

	static boolean available() {
		try {
			Class.forName("io.idempotent.autoconfigure.IdempotentProperties").getMethod("getNearCache");
			return true;
		}
		catch (ReflectiveOperationException ex) {
			return false;
		}
	}

	void run() throws Exception {
		String scenario = "duplicates of a completed key, near-cache on vs the store round trip";
		if (!available()) {
			this.report.skipped("near-cache (Redis store)", scenario, "near-cache not available");
			this.report.notMeasured("3. near-cache duplicates vs the store round trip", "≥ 10×", "near-cache not available");
			return;
		}
		Runs store = new Runs();
		Runs near = new Runs();
		double[] claims = new double[2];
		try (ConfigurableApplicationContext off = start(false); ConfigurableApplicationContext on = start(true)) {
			for (int run = 0; run < this.mode.runs(); run++) {
				store.add(duplicates(off, claims, 0));
				near.add(duplicates(on, claims, 1));
			}
		}
		this.report.alternated("near-cache (Redis store)", scenario, "1", store, near, "ops/s", "—",
				String.format(java.util.Locale.ROOT, "store claims per duplicate: %.2f off, %.3f on", claims[0], claims[1]));
		this.report.atLeast("3. near-cache duplicates vs the store round trip (≥ 10×)", near.mean() / store.mean(), 10,
				Runs.spread(store, near));
	}

	private LoadResult duplicates(ConfigurableApplicationContext app, double[] claims, int side) throws Exception {
		DuplicateService service = app.getBean(DuplicateService.class);
		service.handle("completed");
		MeterRegistry meters = app.getBean(MeterRegistry.class);
		double before = acquires(meters);
		long[] calls = new long[1];
		LoadResult result = LoadRunner.run(1, this.mode.warmup(), this.mode.measure(), (i) -> {
			service.handle("completed");
			calls[0]++;
		});
		claims[side] = (acquires(meters) - before) / Math.max(1, calls[0]);
		return result;
	}

	private static double acquires(MeterRegistry meters) {
		return Search.in(meters).name("idempotent.store.operations").tag("operation", "acquire").timers().stream()
			.mapToDouble((timer) -> timer.count())
			.sum();
	}

	private static ConfigurableApplicationContext start(boolean nearCache) {
		return new SpringApplicationBuilder(NearCacheApplication.class).web(WebApplicationType.NONE)
			.properties(PROPERTY + "=" + nearCache, "idempotent.store.type=redis",
					"spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
					"spring.main.banner-mode=off", "spring.application.name=near-cache-" + nearCache,
					"idempotent.logging.duplicate-summary-interval=0",
					"spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
			.run();
	}

	/** The application: one guarded bean. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class NearCacheApplication {

		@Bean
		DuplicateService duplicateService() {
			return new DuplicateService();
		}

	}

	/** A guarded no-op. */
	public static class DuplicateService {

		@Idempotent(key = "#id")
		public void handle(String id) {
			// what is measured is the duplicate's path
		}

	}

}
