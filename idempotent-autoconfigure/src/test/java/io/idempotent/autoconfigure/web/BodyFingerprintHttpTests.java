package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

import io.idempotent.annotation.Idempotent;

/**
 * The fingerprint of a guarded request's body over real HTTP (embedded Tomcat, raw sockets, in-memory store):
 * every byte of the body counts, whatever its framing (a Content-Length, chunked, after a 100 Continue) and
 * however much of it was read before the claim, and the bytes not read stay readable to the handler after it.
 */
@SpringBootTest(classes = BodyFingerprintHttpTests.App.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "idempotent.store.type=memory")
class BodyFingerprintHttpTests {

	@LocalServerPort
	private int port;

	private static byte[] body(int size, char last) {
		byte[] body = "0123456789".repeat(size / 10 + 1).substring(0, size).getBytes(StandardCharsets.US_ASCII);
		body[size - 1] = (byte) last;
		return body;
	}

	private static String sha(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	@Test
	void everyByteOfABodyWithItsLengthCountsWhetherTheHandlerReadsItAfterTheClaimOrNot() throws Exception {
		for (int size : new int[] { 1, 14, 8191, 8192, 8193, 20_000 }) {
			String key = UUID.randomUUID().toString();
			byte[] a = body(size, 'a');
			String first = send("/echo", key, "Content-Length: " + size, a);
			assertThat(first).startsWith("HTTP/1.1 200").contains("echo " + size + " " + sha(a));
			assertThat(send("/echo", key, "Content-Length: " + size, a)).startsWith("HTTP/1.1 200")
				.contains("echo " + size + " " + sha(a));
			assertThat(send("/echo", key, "Content-Length: " + size, body(size, 'b'))).startsWith("HTTP/1.1 422");
			String other = UUID.randomUUID().toString();
			assertThat(send("/none", other, "Content-Length: " + size, a)).startsWith("HTTP/1.1 200");
			assertThat(send("/none", other, "Content-Length: " + size, body(size, 'b'))).startsWith("HTTP/1.1 422");
		}
	}

	@Test
	void everyByteOfAChunkedBodyCountsAndStaysReadable() throws Exception {
		for (int size : new int[] { 1, 14, 8193, 20_000 }) {
			String key = UUID.randomUUID().toString();
			byte[] a = body(size, 'a');
			assertThat(sendChunked("/echo", key, a)).startsWith("HTTP/1.1 200").contains("echo " + size + " " + sha(a));
			assertThat(sendChunked("/echo", key, body(size, 'b'))).startsWith("HTTP/1.1 422");
			String other = UUID.randomUUID().toString();
			assertThat(sendChunked("/none", other, a)).startsWith("HTTP/1.1 200");
			assertThat(sendChunked("/none", other, body(size, 'b'))).startsWith("HTTP/1.1 422");
		}
	}

	@Test
	void bytesAfterAZeroContentLengthAreNoPartOfTheBody() throws Exception {
		String key = UUID.randomUUID().toString();
		String response = send("/echo", key, "Content-Length: 0", "garbage".getBytes(StandardCharsets.US_ASCII));
		assertThat(response).startsWith("HTTP/1.1 200").contains("echo 0 " + sha(new byte[0]));
	}

	@Test
	void aBodyIsItsDeclaredLengthWhenMoreIsSent() throws Exception {
		String key = UUID.randomUUID().toString();
		byte[] a = body(100, 'a');
		String response = send("/echo", key, "Content-Length: 50", a);
		byte[] head = java.util.Arrays.copyOf(a, 50);
		assertThat(response).startsWith("HTTP/1.1 200").contains("echo 50 " + sha(head));
	}

	@Test
	void aBodyAfterA100ContinueCountsWhole() throws Exception {
		for (String path : new String[] { "/echo", "/none" }) {
			String key = UUID.randomUUID().toString();
			byte[] a = body(3000, 'a');
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				socket.setSoTimeout(10_000);
				OutputStream out = socket.getOutputStream();
				out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + key
						+ "\r\nContent-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Length: 3000\r\n"
						+ "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				byte[] buffer = new byte[64];
				int n = socket.getInputStream().read(buffer);
				assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 100");
				out.write(a);
				out.flush();
				String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
				assertThat(response).contains("200");
			}
			assertThat(send(path, key, "Content-Length: 3000", body(3000, 'b'))).startsWith("HTTP/1.1 422");
		}
	}

	@Test
	void aBodyPeekedAtThroughTheReaderBeforeTheClaimCountsWholeAndTheReaderGoesOn() throws Exception {
		String key = UUID.randomUUID().toString();
		byte[] a = body(20_000, 'a');
		String response = send("/reader", key, "Content-Length: 20000\r\nX-Peek: 3", a);
		assertThat(response).startsWith("HTTP/1.1 200").contains("reader 20000 " + sha(a));
		assertThat(send("/reader", key, "Content-Length: 20000\r\nX-Peek: 3", body(20_000, 'b')))
			.startsWith("HTTP/1.1 422");
		String chunkedKey = UUID.randomUUID().toString();
		assertThat(sendChunked("/reader", chunkedKey, a, "X-Peek: 3")).startsWith("HTTP/1.1 200")
			.contains("reader 20000 " + sha(a));
	}

	@Test
	void aBodyCutShortOfItsDeclaredLengthReleasesTheKey() throws Exception {
		String key = UUID.randomUUID().toString();
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write(("POST /none HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + key
						+ "\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"
						+ "short").getBytes(StandardCharsets.US_ASCII));
			socket.shutdownOutput();
			String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(response).startsWith("HTTP/1.1 400");
		}
		assertThat(send("/none", key, "Content-Length: 5", "short".getBytes(StandardCharsets.US_ASCII)))
			.startsWith("HTTP/1.1 200");
	}

	private String send(String path, String key, String headers, byte[] body) throws Exception {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + key
				+ "\r\nContent-Type: application/octet-stream\r\n" + headers + "\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		request.write(body);
		return exchange(request.toByteArray());
	}

	private String sendChunked(String path, String key, byte[] body, String... headers) throws Exception {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + key
				+ "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
				+ String.join("", java.util.Arrays.stream(headers).map((h) -> h + "\r\n").toList())
				+ "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		for (int off = 0; off < body.length; off += 777) {
			int n = Math.min(777, body.length - off);
			request.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			request.write(body, off, n);
			request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		request.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		return exchange(request.toByteArray());
	}

	private String exchange(byte[] request) throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request);
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Api.class)
	static class App {

		@Bean
		org.springframework.security.web.SecurityFilterChain api(
				org.springframework.security.config.annotation.web.builders.HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		/** After the guard's filter: peeks at the body through the reader before the handler is claimed. */
		@Bean
		OncePerRequestFilter peek() {
			return new OncePerRequestFilter() {

				@Override
				protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
						FilterChain chain) throws ServletException, IOException {
					String peek = request.getHeader("X-Peek");
					if (peek != null) {
						char[] head = new char[Integer.parseInt(peek)];
						request.getReader().read(head);
						request.setAttribute("peeked", new String(head));
					}
					chain.doFilter(request, response);
				}

			};
		}

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> peekRegistration(OncePerRequestFilter peek) {
			FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(peek);
			registration.setOrder(Ordered.LOWEST_PRECEDENCE);
			return registration;
		}

	}

	@RestController
	static class Api {

		@PostMapping("/none")
		@Idempotent
		public String none() {
			return "none";
		}

		@PostMapping("/echo")
		@Idempotent
		public String echo(HttpServletRequest request) throws Exception {
			byte[] all = request.getInputStream().readAllBytes();
			return "echo " + all.length + " " + sha(all);
		}

		@PostMapping("/reader")
		@Idempotent
		public String reader(HttpServletRequest request) throws Exception {
			StringBuilder all = new StringBuilder((String) request.getAttribute("peeked"));
			char[] buffer = new char[1000];
			for (int n = request.getReader().read(buffer); n != -1; n = request.getReader().read(buffer)) {
				all.append(buffer, 0, n);
			}
			byte[] bytes = all.toString().getBytes(StandardCharsets.ISO_8859_1);
			return "reader " + bytes.length + " " + sha(bytes);
		}

	}

}
