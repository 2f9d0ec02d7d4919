package io.idempotent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs every benchmark once in smoke mode (a fraction of a second each) so they cannot rot. The figures of a
 * smoke run mean nothing; the benchmarks' own command gives real ones.
 */
class BenchmarkSmokeTests {

	@Test
	void everyBenchmarkRunsAndReports() throws Exception {
		String table = BenchmarkMain.run("smoke");
		assertThat(table).contains("engine (in-memory)", "Redis 7", "PostgreSQL 17", "MariaDB 11.4",
				"RocketMQ end to end");
		assertThat(table.lines().filter((line) -> line.startsWith("| ") && !line.startsWith("| what"))).hasSize(15);
	}

}
