package io.idempotent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import redis.embedded.RedisServer;

/**
 * A real three-master Redis Cluster per test JVM: three Redis 7 servers in cluster mode on random loopback
 * ports, the 16384 slots split between them, joined with {@code CLUSTER MEET}. Or an external cluster named by
 * {@code -Didempotent.test.redis-cluster=host:port,host:port,...} / {@code IDEMPOTENT_TEST_REDIS_CLUSTER}.
 */
public final class TestRedisCluster {

	private static final int SLOTS = 16384;

	private static List<String> nodes;

	private TestRedisCluster() {
	}

	/**
	 * The cluster's nodes as {@code host:port}, starting it on first use.
	 * @return the nodes
	 */
	public static synchronized List<String> nodes() {
		if (nodes == null) {
			String external = TestServers.external("idempotent.test.redis-cluster");
			nodes = (external != null) ? List.of(external.split(",")) : start();
		}
		return nodes;
	}

	private static List<String> start() {
		Path dir = tempDir();
		List<Integer> ports = IntStream.range(0, 3).mapToObj((i) -> TestServers.freePort()).toList();
		for (int port : ports) {
			RedisServer server = RedisServer.builder()
				.port(port)
				.bind("127.0.0.1")
				.setting("cluster-enabled yes")
				.setting("cluster-config-file nodes-" + port + ".conf")
				.setting("cluster-node-timeout 2000")
				.setting("dir " + dir)
				.setting("save \"\"")
				.setting("appendonly no")
				.build();
			server.start();
			TestServers.stopAtExit("stop-test-redis-cluster-" + port, server::stop);
		}
		List<String> addresses = new ArrayList<>();
		RedisClient client = RedisClient.create();
		try {
			int perNode = SLOTS / ports.size();
			for (int i = 0; i < ports.size(); i++) {
				int from = i * perNode;
				int to = (i == ports.size() - 1) ? SLOTS : from + perNode;
				try (StatefulRedisConnection<String, String> connection = connect(client, ports.get(i))) {
					connection.sync().clusterAddSlots(IntStream.range(from, to).toArray());
					if (i > 0) {
						connection.sync().clusterMeet("127.0.0.1", ports.get(0));
					}
				}
				addresses.add("127.0.0.1:" + ports.get(i));
			}
			awaitClusterOk(client, ports);
		}
		finally {
			client.shutdown();
		}
		return List.copyOf(addresses);
	}

	private static void awaitClusterOk(RedisClient client, List<Integer> ports) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		for (int port : ports) {
			try (StatefulRedisConnection<String, String> connection = connect(client, port)) {
				RedisCommands<String, String> commands = connection.sync();
				while (!commands.clusterInfo().contains("cluster_state:ok")
						|| commands.clusterNodes().lines().filter((line) -> line.contains("master")).count() < ports.size()) {
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException("Redis Cluster did not form: " + commands.clusterInfo());
					}
					TestServers.pause();
				}
			}
		}
	}

	private static StatefulRedisConnection<String, String> connect(RedisClient client, int port) {
		return client.connect(RedisURI.create("127.0.0.1", port));
	}

	private static Path tempDir() {
		try {
			Path dir = Files.createTempDirectory("idempotent-redis-cluster");
			dir.toFile().deleteOnExit();
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
