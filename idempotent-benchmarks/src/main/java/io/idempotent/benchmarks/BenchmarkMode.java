package io.idempotent.benchmarks;

import java.time.Duration;

/**
 * How long each measurement runs.
 *
 * @param name quick, full or smoke
 * @param warmup warm-up per load measurement
 * @param measure measurement per load measurement
 * @param jmhIterations JMH warm-up and measurement iterations
 * @param jmhIteration JMH iteration length
 * @param jmhForks JMH forks (0 runs in this JVM)
 * @param messages messages of each RocketMQ listener's warm-up backlog (drained before anything is measured)
 * @param messageRun how long each measured RocketMQ run should take at least (its backlog is sized from the
 * warm-up's rate); zero for a fixed backlog of {@code messages}
 * @param httpWarmup warm-up per HTTP measurement
 * @param httpMeasure measurement per HTTP measurement
 */
record BenchmarkMode(String name, Duration warmup, Duration measure, int jmhIterations, Duration jmhIteration,
		int jmhForks, int messages, Duration messageRun, Duration httpWarmup, Duration httpMeasure) {

	static BenchmarkMode named(String name) {
		return switch (name) {
			case "smoke" -> new BenchmarkMode(name, Duration.ofMillis(100), Duration.ofMillis(300), 1,
					Duration.ofMillis(200), 0, 200, Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(300));
			case "full" -> new BenchmarkMode(name, Duration.ofSeconds(2), Duration.ofSeconds(6), 3, Duration.ofSeconds(1),
					1, 15_000, Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(5));
			case "quick" -> new BenchmarkMode(name, Duration.ofSeconds(1), Duration.ofSeconds(5), 2,
					Duration.ofSeconds(1), 1, 6_000, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(3));
			default -> throw new IllegalArgumentException("Unknown benchmark mode '" + name + "': quick, full or smoke");
		};
	}

	boolean smoke() {
		return "smoke".equals(this.name);
	}

	/** Alternating runs per side of a row: two, so the spread shows; one in smoke mode (only proves it runs). */
	int runs() {
		return smoke() ? 1 : 2;
	}

}
