package io.idempotent.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the whole benchmark set and prints a Markdown table of every figure beside its raw baseline from the
 * same run. {@code quick} (the default, a few minutes), {@code full}, or {@code smoke} (seconds; the test
 * suite runs it so the benchmarks cannot rot). Real servers start the way the tests start them.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		String modeName = (args.length > 0) ? args[0] : "quick";
		String markdown = run(modeName);
		System.out.println();
		System.out.println(markdown);
		if (args.length > 1) {
			Path out = Path.of(args[1]);
			Files.createDirectories(out.toAbsolutePath().getParent());
			Files.writeString(out, markdown);
			System.out.println("Written to " + out);
		}
		System.out.flush();
		System.exit(0);
	}

	/**
	 * Runs every benchmark.
	 * @param modeName quick, full or smoke
	 * @return the Markdown table
	 * @throws Exception when a benchmark fails
	 */
	public static String run(String modeName) throws Exception {
		BenchmarkMode mode = BenchmarkMode.named(modeName);
		Report report = new Report(modeName);
		engine(mode, report);
		StoreBenchmarks stores = new StoreBenchmarks(mode, report);
		stores.redis();
		stores.jdbc("PostgreSQL 17", StoreBenchmarks.postgres());
		stores.jdbc("MariaDB 11.4", StoreBenchmarks.mariadb());
		new HttpBenchmark(mode, report).run();
		new NearCacheBenchmark(mode, report).run();
		new RocketMQBenchmark(mode, report).run();
		return report.markdown();
	}

	private static void engine(BenchmarkMode mode, Report report) throws Exception {
		for (int threads : new int[] { 1, 4 }) {
			Options options = new OptionsBuilder().include(EngineOverheadBenchmark.class.getName() + "\\.(bareMethod|guardedFirstCall|guardedDuplicate)$")
				.threads(threads)
				.forks(mode.jmhForks())
				.warmupIterations(mode.jmhIterations())
				.warmupTime(TimeValue.milliseconds(mode.jmhIteration().toMillis()))
				.measurementIterations(mode.jmhIterations())
				.measurementTime(TimeValue.milliseconds(mode.jmhIteration().toMillis()))
				.addProfiler(GCProfiler.class)
				.verbosity(VerboseMode.SILENT)
				.build();
			Collection<RunResult> results = new Runner(options).run();
			double bare = score(results, "bareMethod");
			report.engine("first call of a key", threads, bare, score(results, "guardedFirstCall"),
					allocation(results, "guardedFirstCall") - allocation(results, "bareMethod"));
			report.engine("duplicate of a completed key", threads, bare, score(results, "guardedDuplicate"),
					allocation(results, "guardedDuplicate") - allocation(results, "bareMethod"));
		}
	}

	private static RunResult find(Collection<RunResult> results, String method) {
		return results.stream()
			.filter((r) -> r.getParams().getBenchmark().endsWith("." + method))
			.findFirst()
			.orElseThrow();
	}

	private static double score(Collection<RunResult> results, String method) {
		return find(results, method).getPrimaryResult().getScore();
	}

	private static double allocation(Collection<RunResult> results, String method) {
		Result<?> alloc = find(results, method).getSecondaryResults().get("gc.alloc.rate.norm");
		return (alloc != null) ? alloc.getScore() : Double.NaN;
	}

}
