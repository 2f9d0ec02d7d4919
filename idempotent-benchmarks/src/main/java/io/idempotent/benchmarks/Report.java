package io.idempotent.benchmarks;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one run as Markdown: a header saying on what machine and under what load it ran, a table of
 * each guarded figure beside the raw baseline measured in the same run (with their ratio, latencies,
 * allocation and the spread between runs where there are several), and the targets, each met or
 * missed. Each row is also printed to stderr as it completes.
 */
final class Report {

	private final List<String> rows = new ArrayList<>();

	private final List<String> targets = new ArrayList<>();

	private final String mode;

	private final String started = OffsetDateTime.now(ZoneOffset.UTC)
		.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));

	private final String loadAtStart = Machine.loadAverage();

	private final long startNanos = System.nanoTime();

	Report(String mode) {
		this.mode = mode;
	}

	void engine(String scenario, int threads, double bareNs, double guardedNs, double allocBytes) {
		row(String.format(Locale.ROOT, "| engine (in-memory) | %s | %d | %.0f ns/call | %.0f ns/call | %.2f | %+.0f B/call | +%.0f ns/call |",
				scenario, threads, bareNs, guardedNs, bareNs / guardedNs, allocBytes, guardedNs - bareNs));
	}

	/**
	 * A closed-loop row of the store benchmarks, its sides measured in alternating runs; Redis and PostgreSQL rows
	 * carry the 0.95 target, MariaDB duplicates 0.90.
	 */
	void load(String store, String scenario, int threads, Runs raw, Runs guarded) {
		double ratio = guarded.mean() / raw.mean();
		row(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.2f | — | runs %s%s |", store, scenario, threads,
				raw.describe("ops/s"), guarded.describe("ops/s"), ratio, Runs.ratios(raw, guarded),
				callerCpu(raw, guarded)));
		double spread = Runs.spread(raw, guarded);
		if (store.startsWith("Redis") || store.startsWith("PostgreSQL")) {
			atLeast("1. " + store + ", " + scenario + ", " + threads + " thread(s)", ratio, 0.95, spread);
		}
		else if (store.startsWith("MariaDB") && scenario.contains("duplicate")) {
			atLeast("2. " + store + ", " + scenario + ", " + threads + " thread(s)", ratio, 0.90, spread);
		}
	}

	/**
	 * The CPU the calling threads spent per call on each side and the difference: the guard's own work, measured
	 * apart from the servers' and the client event loops' (which a saturated machine shares with it).
	 */
	private static String callerCpu(Runs raw, Runs guarded) {
		double rawCpu = raw.callerCpuMicros();
		double guardedCpu = guarded.callerCpuMicros();
		if (Double.isNaN(rawCpu) || Double.isNaN(guardedCpu)) {
			return "";
		}
		return String.format(Locale.ROOT, "; caller CPU per call %.1f → %.1f µs (%+.1f µs)", rawCpu, guardedCpu,
				guardedCpu - rawCpu);
	}

	/** A row measured in several alternating runs: the ratio of the means, each run's ratio and their spread. */
	void alternated(String what, String scenario, String threads, Runs raw, Runs guarded, String unit,
			String allocation, String notes) {
		double ratio = guarded.mean() / raw.mean();
		row(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %s | runs %s; %s |", what, scenario, threads,
				raw.describe(unit), guarded.describe(unit), ratio, allocation, Runs.ratios(raw, guarded), notes));
	}

	void skipped(String what, String scenario, String reason) {
		row("| " + what + " | " + scenario + " | | | | | | skipped: " + reason + " |");
	}

	void atLeast(String target, double ratio, double threshold) {
		this.targets.add(String.format(Locale.ROOT, "| %s | ≥ %.2f | %.2f | %s |", target, threshold, ratio,
				(ratio >= threshold) ? "met" : "**missed**"));
	}

	/**
	 * A target measured over alternating runs: met or missed, but inconclusive when the runs' ratios spread more
	 * than 0.10 (the machine's load moved more than the guard's cost).
	 */
	void atLeast(String target, double ratio, double threshold, double spread) {
		String verdict = (ratio >= threshold) ? "met" : "**missed**";
		if (spread > 0.10) {
			verdict += String.format(Locale.ROOT, " (inconclusive: the runs' ratios spread %.2f)", spread);
		}
		this.targets.add(String.format(Locale.ROOT, "| %s | ≥ %.2f | %.2f | %s |", target, threshold, ratio, verdict));
	}

	void notMeasured(String target, String threshold, String reason) {
		this.targets.add("| " + target + " | " + threshold + " | — | not measured: " + reason + " |");
	}

	private void row(String row) {
		this.rows.add(row);
		long seconds = (System.nanoTime() - this.startNanos) / 1_000_000_000L;
		System.err.printf(Locale.ROOT, "[bench +%d:%02d] %s%n", seconds / 60, seconds % 60, row);
	}

	String markdown() {
		long seconds = (System.nanoTime() - this.startNanos) / 1_000_000_000L;
		StringBuilder out = new StringBuilder();
		out.append("# Benchmark results\n\n");
		out.append("- mode: `").append(this.mode).append("`, started ").append(this.started).append(", took ")
			.append(seconds / 60).append(" min ").append(seconds % 60).append(" s\n");
		out.append("- machine: ").append(Machine.describe()).append('\n');
		out.append("- load average at start: ").append(this.loadAtStart).append("; at end: ")
			.append(Machine.loadAverage()).append('\n');
		out.append("- servers (Redis, PostgreSQL, MariaDB, RocketMQ, Tomcat) on loopback in the same JVM; compare")
			.append(" figures only within one run\n\n");
		out.append("| what | scenario | threads | raw baseline | guarded | ratio guarded/raw | allocation guarded − raw | runs, notes |\n");
		out.append("|---|---|---|---|---|---|---|---|\n");
		this.rows.forEach((row) -> out.append(row).append('\n'));
		out.append("\n## Targets of issue #16\n\n| target | wanted | measured | |\n|---|---|---|---|\n");
		this.targets.forEach((row) -> out.append(row).append('\n'));
		return out.toString();
	}

}
