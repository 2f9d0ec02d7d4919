package io.idempotent.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded broker a sample or a test starts opens no port to the network: every socket it listens on is
 * bound to the loopback interface (RocketMQ 5.3.3 binds its HA port on every interface unless told not to
 * open it), and its files are gone once it is closed.
 */
@EnabledOnOs(OS.LINUX)
class EmbeddedRocketMQTests {

	@Test
	void listensOnLoopbackOnlyAndLeavesNoFiles() throws IOException {
		Set<String> before = listeningSockets();
		Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
		Set<Path> filesBefore = children(tmp);
		EmbeddedRocketMQ broker = EmbeddedRocketMQ.start();
		Set<String> opened;
		try {
			opened = new HashSet<>(listeningSockets());
			opened.removeAll(before);
		}
		finally {
			broker.close();
		}
		assertThat(opened).as("listening sockets the broker opened").isNotEmpty();
		assertThat(opened).allSatisfy((address) -> assertThat(address).startsWith("127.0.0.1:"));
		assertThat(children(tmp)).isEqualTo(filesBefore);
	}

	private static Set<Path> children(Path dir) throws IOException {
		try (Stream<Path> paths = Files.list(dir)) {
			return new HashSet<>(paths.toList());
		}
	}

	/**
	 * Listening TCP sockets of this process, as {@code address:port}, read from {@code /proc} (IPv4 and IPv6;
	 * a wildcard IPv6 listener reads {@code :::port}).
	 */
	private static Set<String> listeningSockets() throws IOException {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring(8, target.length() - 1));
					}
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		Set<String> sockets = new HashSet<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			List<String> lines = Files.readAllLines(Path.of(table));
			for (String line : lines.subList(1, lines.size())) {
				String[] fields = line.trim().split("\\s+");
				if ("0A".equals(fields[3]) && inodes.contains(fields[9])) {
					sockets.add(address(fields[1]));
				}
			}
		}
		return sockets;
	}

	private static String address(String hex) {
		String[] parts = hex.split(":");
		int port = Integer.parseInt(parts[1], 16);
		String ip = parts[0];
		if (ip.length() == 8) {
			StringBuilder dotted = new StringBuilder();
			for (int i = 6; i >= 0; i -= 2) {
				dotted.append(Integer.parseInt(ip.substring(i, i + 2), 16));
				if (i > 0) {
					dotted.append('.');
				}
			}
			return dotted + ":" + port;
		}
		if ("0000000000000000FFFF00000100007F".equals(ip)) {
			return "127.0.0.1:" + port;
		}
		if ("00000000000000000000000001000000".equals(ip)) {
			return "::1:" + port;
		}
		return (ip.matches("0+") ? "::" : ip) + ":" + port;
	}

}
