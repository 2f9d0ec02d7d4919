package io.idempotent.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The throughputs (and, for closed-loop runs, latencies) of one side of a row over its alternating runs. */
final class Runs {

	private final List<Double> rates = new ArrayList<>();

	private final List<LoadResult> loads = new ArrayList<>();

	void add(double perSecond) {
		this.rates.add(perSecond);
	}

	void add(LoadResult result) {
		this.rates.add(result.opsPerSecond());
		this.loads.add(result);
	}

	double mean() {
		return this.rates.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
	}

	int size() {
		return this.rates.size();
	}

	double rate(int run) {
		return this.rates.get(run);
	}

	String describe(String unit) {
		String each = this.rates.stream().map((r) -> String.format(Locale.ROOT, "%,.0f", r)).collect(Collectors.joining(" / "));
		String text = String.format(Locale.ROOT, "%,.0f %s (%s)", mean(), unit, each);
		if (!this.loads.isEmpty()) {
			double p50 = this.loads.stream().mapToDouble(LoadResult::p50Micros).average().orElse(Double.NaN);
			double p99 = this.loads.stream().mapToDouble(LoadResult::p99Micros).average().orElse(Double.NaN);
			text += String.format(Locale.ROOT, ", p50 %.0f µs, p99 %.0f µs", p50, p99);
		}
		return text;
	}

	/**
	 * The mean CPU time per operation of the calling threads over the closed-loop runs.
	 * @return microseconds, NaN when not measured
	 */
	double callerCpuMicros() {
		return this.loads.stream().mapToDouble(LoadResult::callerCpuMicros).average().orElse(Double.NaN);
	}

	/** The spread between the highest and the lowest of the runs' ratios guarded/raw. */
	static double spread(Runs raw, Runs guarded) {
		double max = Double.NEGATIVE_INFINITY;
		double min = Double.POSITIVE_INFINITY;
		for (int i = 0; i < Math.min(raw.size(), guarded.size()); i++) {
			double ratio = guarded.rate(i) / raw.rate(i);
			max = Math.max(max, ratio);
			min = Math.min(min, ratio);
		}
		return (max >= min) ? max - min : 0;
	}

	/** Each run's ratio guarded/raw and the spread between the extremes. */
	static String ratios(Runs raw, Runs guarded) {
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < Math.min(raw.size(), guarded.size()); i++) {
			ratios.add(guarded.rate(i) / raw.rate(i));
		}
		double spread = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0)
				- ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0);
		return ratios.stream().map((r) -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", "))
				+ String.format(Locale.ROOT, " (spread %.2f)", spread);
	}

}
