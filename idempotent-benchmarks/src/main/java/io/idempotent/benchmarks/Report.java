package io.idempotent.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one run as a Markdown table: each guarded figure beside the raw baseline measured in the
 * same run, and their ratio.
 */
final class Report {

	private final List<String> rows = new ArrayList<>();

	private final String header;

	Report(String machine) {
		this.header = machine;
	}

	void engine(String scenario, int threads, double bareNs, double guardedNs, double allocBytes) {
		this.rows.add(String.format(Locale.ROOT, "| engine (in-memory) | %s | %d | %.0f ns/call | %.0f ns/call | +%.0f ns, %.0f B/call |",
				scenario, threads, bareNs, guardedNs, guardedNs - bareNs, allocBytes));
	}

	void load(String store, String scenario, int threads, LoadResult raw, LoadResult guarded) {
		this.rows.add(String.format(Locale.ROOT,
				"| %s | %s | %d | %,.0f ops/s (p50 %.0f µs, p99 %.0f µs) | %,.0f ops/s (p50 %.0f µs, p99 %.0f µs) | %.2f |",
				store, scenario, threads, raw.opsPerSecond(), raw.p50Micros(), raw.p99Micros(), guarded.opsPerSecond(),
				guarded.p50Micros(), guarded.p99Micros(), guarded.opsPerSecond() / raw.opsPerSecond()));
	}

	void messages(String scenario, int messages, double rawPerSecond, double guardedPerSecond, String note) {
		this.rows.add(String.format(Locale.ROOT, "| RocketMQ end to end (Redis store) | %s | %,d msgs | %,.0f msgs/s | %,.0f msgs/s | %.2f %s|",
				scenario, messages, rawPerSecond, guardedPerSecond, guardedPerSecond / rawPerSecond, note));
	}

	String markdown() {
		StringBuilder out = new StringBuilder();
		out.append(this.header).append("\n\n");
		out.append("| what | scenario | threads | raw baseline | guarded | ratio guarded/raw |\n");
		out.append("|---|---|---|---|---|---|\n");
		this.rows.forEach((row) -> out.append(row).append('\n'));
		return out.toString();
	}

}
