package io.idempotent.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a reader needs to judge a run's figures: the machine's cores, memory, CPU model, the JVM, and how busy
 * the machine was ({@code /proc/loadavg}, read at the start and at the end of the run).
 */
final class Machine {

	private Machine() {
	}

	static String describe() {
		return Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), " + memory() + " RAM, Java "
				+ System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
				+ System.getProperty("java.vm.version") + "), heap max "
				+ (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
	}

	/** The 1, 5 and 15 minute load averages, or "unknown" off Linux. */
	static String loadAverage() {
		List<String> lines = lines(Path.of("/proc/loadavg"));
		if (lines.isEmpty()) {
			return "unknown";
		}
		String[] parts = lines.get(0).split("\\s+");
		return parts[0] + " / " + parts[1] + " / " + parts[2] + " (1 / 5 / 15 min)";
	}

	private static String cpuModel() {
		return lines(Path.of("/proc/cpuinfo")).stream()
			.filter((line) -> line.startsWith("model name"))
			.map((line) -> line.substring(line.indexOf(':') + 1).trim())
			.findFirst()
			.orElse(System.getProperty("os.arch"));
	}

	private static String memory() {
		return lines(Path.of("/proc/meminfo")).stream()
			.filter((line) -> line.startsWith("MemTotal:"))
			.map((line) -> String.format(java.util.Locale.ROOT, "%.1f GiB",
					Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0))
			.findFirst()
			.orElse("unknown");
	}

	private static List<String> lines(Path file) {
		try {
			return Files.readAllLines(file);
		}
		catch (IOException | RuntimeException ex) {
			return List.of();
		}
	}

}
