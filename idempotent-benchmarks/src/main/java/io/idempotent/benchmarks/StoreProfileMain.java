package io.idempotent.benchmarks;

import java.util.List;

/**
 * Runs only the store rows (Redis, PostgreSQL, MariaDB: guarded against the same raw round trips, 1 and 8
 * threads), for profiling the guard's hot path: start it under JFR, e.g.
 * {@code java -XX:StartFlightRecording=filename=target/stores.jfr -cp ... StoreProfileMain quick redis,postgres}.
 * Arguments: the mode ({@code quick}, {@code full}, {@code smoke}) and a comma-separated list of stores
 * ({@code redis}, {@code postgres}, {@code mariadb}; all by default).
 */
public final class StoreProfileMain {

	private StoreProfileMain() {
	}

	public static void main(String[] args) {
		try {
			run(args);
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			System.exit(1); // the servers' and clients' threads would keep the JVM up
		}
		System.exit(0);
	}

	private static void run(String[] args) throws Exception {
		String modeName = (args.length > 0) ? args[0] : "quick";
		List<String> stores = List.of(((args.length > 1) ? args[1] : "redis,postgres,mariadb").split(","));
		Report report = new Report("Store rows only, mode `" + modeName + "`, "
				+ Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
		StoreBenchmarks benchmarks = new StoreBenchmarks(BenchmarkMode.named(modeName), report);
		if (stores.contains("redis")) {
			benchmarks.redis();
		}
		if (stores.contains("postgres")) {
			benchmarks.jdbc("PostgreSQL 17", StoreBenchmarks.postgres());
		}
		if (stores.contains("mariadb")) {
			benchmarks.jdbc("MariaDB 11.4", StoreBenchmarks.mariadb());
		}
		System.out.println();
		System.out.println(report.markdown());
	}

}
