package io.idempotent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packages' imports point one way: the store SPI and its stores at the bottom, the algorithm ({@code core})
 * on them, key resolution and the AOP advisor above, each transport ({@code rocketmq}, {@code web}) and the meters
 * and observations on top. A newcomer finds the algorithm in {@code core} and each transport in its own package, and no package
 * reaches back up.
 */
class PackageLayeringTests {

	private static final Path SOURCES = Path.of("src", "main", "java", "io", "idempotent");

	private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.idempotent\\.([a-z]+)\\.",
			Pattern.MULTILINE);

	/** What each top-level package may import from the others. */
	private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
			Map.entry("annotation", Set.of()),
			Map.entry("store", Set.of()),
			Map.entry("codec", Set.of()),
			Map.entry("core", Set.of("store")),
			Map.entry("cache", Set.of("core", "store")),
			Map.entry("key", Set.of("annotation", "core", "store")),
			Map.entry("aop", Set.of("annotation", "codec", "core", "key", "observation", "store")),
			Map.entry("metrics", Set.of("core", "store")),
			Map.entry("observation", Set.of("core", "store")),
			Map.entry("transaction", Set.of("core", "store")),
			Map.entry("rocketmq", Set.of("annotation", "core", "key", "store", "codec")),
			Map.entry("web", Set.of("annotation", "aop", "core", "key", "store", "codec")));

	@Test
	void importsBetweenPackagesPointOneWay() throws IOException {
		Set<String> violations = new TreeSet<>();
		List<Path> packages;
		try (Stream<Path> children = Files.list(SOURCES)) {
			packages = children.filter(Files::isDirectory).toList();
		}
		for (Path dir : packages) {
			String name = dir.getFileName().toString();
			assertThat(ALLOWED).as("layering rule for package " + name).containsKey(name);
			try (Stream<Path> files = Files.walk(dir)) {
				for (Path file : files.filter((f) -> f.toString().endsWith(".java")).toList()) {
					Matcher imported = IMPORT.matcher(Files.readString(file));
					while (imported.find()) {
						String target = imported.group(1);
						if (!target.equals(name) && !ALLOWED.get(name).contains(target)) {
							violations.add(name + " -> " + target + " (" + SOURCES.relativize(file) + ")");
						}
					}
				}
			}
		}
		assertThat(violations).isEmpty();
	}

}
