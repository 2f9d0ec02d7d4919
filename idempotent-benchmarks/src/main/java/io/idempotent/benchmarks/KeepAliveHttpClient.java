package io.idempotent.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The cheapest honest HTTP/1.1 client: one keep-alive connection, a request written in one piece, the response
 * read to its last byte (Content-Length or chunked). It costs the same for every endpoint it calls, so the
 * server's cost is what differs between two measurements.
 */
final class KeepAliveHttpClient implements AutoCloseable {

	private final String host;

	private final int port;

	private Socket socket;

	private OutputStream out;

	private InputStream in;

	private boolean replayed;

	KeepAliveHttpClient(String host, int port) {
		this.host = host;
		this.port = port;
	}

	/**
	 * Posts a JSON body.
	 * @param path the path
	 * @param key the {@code Idempotency-Key}, or {@code null} for none
	 * @param json the body
	 * @return the status code
	 */
	int post(String path, String key, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		String head = "POST " + path + " HTTP/1.1\r\nHost: " + this.host + ":" + this.port
				+ "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
				+ "\r\n" + ((key != null) ? "Idempotency-Key: " + key + "\r\n" : "") + "\r\n";
		byte[] request = (head + json).getBytes(StandardCharsets.UTF_8);
		for (int attempt = 0;; attempt++) {
			try {
				connect();
				this.out.write(request);
				this.out.flush();
				return readResponse();
			}
			catch (IOException ex) {
				close();
				if (attempt > 0) {
					throw ex;
				}
			}
		}
	}

	/** Whether the last response carried {@code Idempotent-Replayed: true}. */
	boolean replayed() {
		return this.replayed;
	}

	private void connect() throws IOException {
		if (this.socket == null) {
			this.socket = new Socket(this.host, this.port);
			this.socket.setTcpNoDelay(true);
			this.out = this.socket.getOutputStream();
			this.in = new BufferedInputStream(this.socket.getInputStream(), 16 * 1024);
		}
	}

	private int readResponse() throws IOException {
		String status = line();
		int code = Integer.parseInt(status.substring(9, 12));
		long length = -1;
		boolean chunked = false;
		this.replayed = false;
		for (String header = line(); !header.isEmpty(); header = line()) {
			String lower = header.toLowerCase(java.util.Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring(15).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
			else if (lower.startsWith("idempotent-replayed:") && lower.contains("true")) {
				this.replayed = true;
			}
			else if (lower.startsWith("connection:") && lower.contains("close")) {
				length = (length < 0) ? 0 : length;
			}
		}
		if (chunked) {
			for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
				skip(size);
				line();
			}
			line();
		}
		else if (length > 0) {
			skip(length);
		}
		return code;
	}

	private void skip(long bytes) throws IOException {
		for (long left = bytes; left > 0;) {
			long skipped = this.in.skip(left);
			if (skipped <= 0) {
				if (this.in.read() < 0) {
					throw new IOException("Connection closed in a response body");
				}
				skipped = 1;
			}
			left -= skipped;
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
			if (b < 0) {
				throw new IOException("Connection closed by the server");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() {
		if (this.socket != null) {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
			this.socket = null;
		}
	}

}
