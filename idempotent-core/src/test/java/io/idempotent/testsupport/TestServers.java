package io.idempotent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Helpers shared by the real servers the tests start: free ports and the switches that point a suite at an
 * external server instead.
 */
public final class TestServers {

	private TestServers() {
	}

	/**
	 * A free TCP port on the loopback interface.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * An external server setting: the system property {@code name}, else the environment variable named like
	 * it in upper case with dots and dashes as underscores ({@code idempotent.test.redis} becomes
	 * {@code IDEMPOTENT_TEST_REDIS}).
	 * @param name the property name
	 * @return the value, or null when unset
	 */
	public static String external(String name) {
		String value = System.getProperty(name);
		if (value == null || value.isBlank()) {
			value = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
		}
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	/**
	 * Waits a tenth of a second while polling a server that is starting.
	 */
	public static void pause() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Registers a server's shutdown at JVM exit.
	 * @param name a thread name
	 * @param stop the shutdown
	 */
	public static void stopAtExit(String name, Runnable stop) {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				stop.run();
			}
			catch (RuntimeException ex) {
				// the JVM is exiting anyway
			}
		}, name));
	}

}
