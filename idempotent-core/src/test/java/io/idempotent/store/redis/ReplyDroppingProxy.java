package io.idempotent.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy in front of a Redis server that, when armed, swallows the next reply the server sends and breaks
 * that client connection: the command ran on the server but its client never heard back, as when a connection
 * breaks at the wrong moment.
 */
final class ReplyDroppingProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String targetHost;

	private final int targetPort;

	private final AtomicBoolean dropNextReply = new AtomicBoolean();

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "reply-dropping-proxy");
		thread.setDaemon(true);
		return thread;
	});

	ReplyDroppingProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.threads.execute(this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** Swallows the next reply and breaks the connection it was for. */
	void dropNextReply() {
		this.dropNextReply.set(true);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket redis = new Socket(this.targetHost, this.targetPort);
				this.threads.execute(() -> pump(client, redis, false));
				this.threads.execute(() -> pump(redis, client, true));
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	private void pump(Socket from, Socket to, boolean replies) {
		byte[] buffer = new byte[64 * 1024];
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			int read;
			while ((read = in.read(buffer)) >= 0) {
				if (replies && this.dropNextReply.compareAndSet(true, false)) {
					return;
				}
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException broken) {
			// the other side closed
		}
		finally {
			close(from);
			close(to);
		}
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.threads.shutdownNow();
	}

}
