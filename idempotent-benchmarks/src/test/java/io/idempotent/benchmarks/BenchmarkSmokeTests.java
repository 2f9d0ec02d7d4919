package io.idempotent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs every benchmark once in smoke mode (a fraction of a second each, small RocketMQ backlogs whose effects
 * are still counted) so they cannot rot. The figures of a smoke run mean nothing; the benchmarks' own command
 * gives real ones.
 */
class BenchmarkSmokeTests {

	@Test
	void everyBenchmarkRunsAndReports() throws Exception {
		String markdown = BenchmarkMain.run("smoke");
		assertThat(markdown).contains("mode: `smoke`", "machine: ", "load average at start", "engine (in-memory)",
				"Redis 7", "PostgreSQL 17", "MariaDB 11.4", "HTTP POST, memory store", "HTTP POST, Redis store",
				"HTTP POST, unguarded endpoint", "RocketMQ end to end, Redis store vs its raw round trips",
				"RocketMQ end to end, one INSERT into PostgreSQL", "commit-with-transaction", "near-cache (Redis store)",
				"## Targets of issue #16", "4. RocketMQ", "5. HTTP");
		String table = markdown.substring(0, markdown.indexOf("## Targets"));
		assertThat(table.lines().filter((line) -> line.startsWith("| ") && !line.startsWith("| what")))
			.hasSizeGreaterThanOrEqualTo(23);
	}

}
