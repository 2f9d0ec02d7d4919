package io.idempotent.benchmarks;

import java.time.Duration;

/**
 * How long each measurement runs.
 *
 * @param warmup warm-up per load measurement
 * @param measure measurement per load measurement
 * @param jmhIterations JMH warm-up and measurement iterations
 * @param jmhIteration JMH iteration length
 * @param jmhForks JMH forks (0 runs in this JVM)
 * @param messages messages per RocketMQ run
 */
record BenchmarkMode(Duration warmup, Duration measure, int jmhIterations, Duration jmhIteration, int jmhForks,
		int messages) {

	static BenchmarkMode named(String name) {
		return switch (name) {
			case "smoke" -> new BenchmarkMode(Duration.ofMillis(100), Duration.ofMillis(300), 1, Duration.ofMillis(200), 0,
					200);
			case "full" -> new BenchmarkMode(Duration.ofSeconds(5), Duration.ofSeconds(20), 5, Duration.ofSeconds(2), 2,
					50_000);
			default -> new BenchmarkMode(Duration.ofSeconds(2), Duration.ofSeconds(5), 3, Duration.ofSeconds(1), 1,
					10_000);
		};
	}

}
