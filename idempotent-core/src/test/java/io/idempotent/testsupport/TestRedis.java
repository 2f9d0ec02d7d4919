package io.idempotent.testsupport;

import redis.embedded.RedisServer;

/**
 * One real Redis 7 server per test JVM (embedded-redis, a static binary), bound to 127.0.0.1 on a random
 * port; or an external one named by {@code -Didempotent.test.redis=host:port} /
 * {@code IDEMPOTENT_TEST_REDIS=host:port}.
 */
public final class TestRedis {

	private static String host;

	private static int port;

	private TestRedis() {
	}

	/**
	 * The server's host, starting it on first use.
	 * @return the host
	 */
	public static synchronized String host() {
		start();
		return host;
	}

	/**
	 * The server's port, starting it on first use.
	 * @return the port
	 */
	public static synchronized int port() {
		start();
		return port;
	}

	private static void start() {
		if (host != null) {
			return;
		}
		String external = TestServers.external("idempotent.test.redis");
		if (external != null) {
			int colon = external.lastIndexOf(':');
			host = external.substring(0, colon);
			port = Integer.parseInt(external.substring(colon + 1));
			return;
		}
		int freePort = TestServers.freePort();
		RedisServer server = RedisServer.builder()
			.port(freePort)
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no")
			.build();
		server.start();
		TestServers.stopAtExit("stop-test-redis", server::stop);
		host = "127.0.0.1";
		port = freePort;
	}

}
