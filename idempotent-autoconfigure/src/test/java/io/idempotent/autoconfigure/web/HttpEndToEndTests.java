package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.idempotent.testsupport.TestRedis;

/**
 * The HTTP guard over real HTTP (embedded Tomcat on a random port) with the Redis store on a real Redis
 * server, plus what an operator sees at {@code /actuator/metrics} and {@code /actuator/idempotency}.
 */
@SpringBootTest(classes = PaymentsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "idempotent.store.type=redis", "spring.application.name=payments-e2e",
				"management.endpoints.web.exposure.include=metrics,idempotency",
				"management.endpoint.idempotency.access=unrestricted" })
class HttpEndToEndTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", TestRedis::host);
		registry.add("spring.data.redis.port", TestRedis::port);
	}

	@Test
	void thirtyTwoIdenticalRequestsAtOnceRunTheHandlerOnce() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("slow");
		ExecutorService clients = Executors.newFixedThreadPool(32);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 32; i++) {
			responses.add(clients.submit(() -> {
				start.await();
				return send("/payments/slow", key, "{\"orderId\":\"race\",\"amount\":5}");
			}));
		}
		start.countDown();
		String original = null;
		int conflicts = 0;
		for (Future<HttpResponse<String>> future : responses) {
			HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
			if (response.statusCode() == 409) {
				conflicts++;
				assertThat(response.headers().firstValue("Retry-After")).isPresent();
				continue;
			}
			assertThat(response.statusCode()).isEqualTo(200);
			if (original == null) {
				original = response.body();
			}
			assertThat(response.body()).isEqualTo(original);
		}
		clients.shutdown();
		assertThat(PaymentsTestApplication.runs("slow")).isEqualTo(before + 1);
		assertThat(conflicts).isLessThan(32);
		HttpResponse<String> after = send("/payments/slow", key, "{\"orderId\":\"race\",\"amount\":5}");
		assertThat(after.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(after.body()).isEqualTo(original);
	}

	@Test
	void oneDuplicateShowsAsOneInTheDuplicatesMetricAndOperatorsCanInspectAndEvict() throws Exception {
		String key = UUID.randomUUID().toString();
		assertThat(send("/payments/text", key, "").statusCode()).isEqualTo(200);
		assertThat(send("/payments/text", key, "").headers().firstValue("Idempotent-Replayed")).hasValue("true");
		HttpResponse<String> metric = get("/actuator/metrics/idempotent.duplicates?tag=name:PaymentsController.text");
		assertThat(metric.statusCode()).isEqualTo(200);
		assertThat(metric.body()).contains("\"statistic\":\"COUNT\",\"value\":1.0");

		HttpResponse<String> operations = get("/actuator/idempotency");
		assertThat(operations.body()).contains("\"store\":\"redis\"").contains("PaymentsController.text");
		HttpResponse<String> record = get("/actuator/idempotency/PaymentsController.text/" + key);
		assertThat(record.body()).contains("\"state\":\"COMPLETED\"");
		HttpResponse<String> evicted = this.http.send(HttpRequest.newBuilder(uri("/actuator/idempotency/PaymentsController.text/" + key))
			.DELETE()
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(evicted.body()).contains("\"evicted\":true");
		assertThat(send("/payments/text", key, "").headers().firstValue("Idempotent-Replayed")).isEmpty();
	}

	// 2. Never allocate from a header; cap what is buffered or hashed

	@Test
	void aRequestDeclaringAHugeBodyIsA413WithoutAllocatingIt() throws Exception {
		int before = PaymentsTestApplication.runs("pay");
		String response = raw("POST /payments HTTP/1.1\r\nHost: 127.0.0.1\r\nIdempotency-Key: huge-"
				+ UUID.randomUUID() + "\r\nContent-Type: application/json\r\nContent-Length: 1500000000\r\n"
				+ "Connection: close\r\n\r\n{\"amount\":1}\r\n");
		assertThat(response).startsWith("HTTP/1.1 413").contains("application/problem+json");
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
	}

	@Test
	void aChunkedBodyOverTheLimitIsA413AndNothingIsStored() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("pay");
		byte[] big = ("{\"orderId\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"amount\":1}")
			.getBytes(StandardCharsets.UTF_8);
		HttpRequest request = HttpRequest.newBuilder(uri("/payments"))
			.header("Idempotency-Key", key)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
		assertThat(send("/payments", key, "{\"orderId\":\"small\",\"amount\":1}").statusCode()).isEqualTo(201);
	}

	// 5. An async dispatch is finished only once it has written the response

	@Test
	void aHandlerThatStartsAsyncProcessingIsStoredOnlyOnceTheResponseIsWritten() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("deferred");
		HttpResponse<String> first = send("/payments/deferred", key, "");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).isEqualTo("deferred " + (before + 1));
		HttpResponse<String> replay = send("/payments/deferred", key, "");
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(replay.body()).isEqualTo(first.body());
		assertThat(PaymentsTestApplication.runs("deferred")).isEqualTo(before + 1);
	}

	@Test
	void anAsyncRequestThatTimesOutReleasesItsKey() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("never");
		assertThat(send("/payments/never", key, "").statusCode()).isEqualTo(503);
		assertThat(send("/payments/never", key, "").statusCode()).isEqualTo(503);
		assertThat(PaymentsTestApplication.runs("never")).isEqualTo(before + 2);
	}

	// 8. The fingerprint covers the whole body, multipart parts included

	@Test
	void aDifferentMultipartUploadUnderTheSameKeyIsA422() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = upload(key, "first file");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(upload(key, "first file").headers().firstValue("Idempotent-Replayed")).hasValue("true");
		HttpResponse<String> other = upload(key, "other file");
		assertThat(other.statusCode()).isEqualTo(422);
	}

	// 9. Quoted and bare forms of one key are one key, also when they race

	@Test
	void quotedAndBareFormsOfOneKeyRacingRunTheHandlerOnce() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("slow");
		ExecutorService clients = Executors.newFixedThreadPool(16);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			String form = (i % 2 == 0) ? key : "\"" + key + "\"";
			responses.add(clients.submit(() -> {
				start.await();
				return send("/payments/slow", form, "{\"orderId\":\"quoted\",\"amount\":5}");
			}));
		}
		start.countDown();
		for (Future<HttpResponse<String>> future : responses) {
			assertThat(future.get(30, TimeUnit.SECONDS).statusCode()).isIn(200, 409);
		}
		clients.shutdown();
		assertThat(PaymentsTestApplication.runs("slow")).isEqualTo(before + 1);
	}

	// 11. Operators look HTTP keys up as sent, naming the scope

	@Test
	void operatorsLookAnHttpKeyUpAsSentNamingTheCallersScope() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpRequest signedIn = HttpRequest.newBuilder(uri("/payments/text"))
			.header("Idempotency-Key", key)
			.header("Authorization", "Basic " + java.util.Base64.getEncoder()
				.encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8)))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		assertThat(this.http.send(signedIn, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
		assertThat(get("/actuator/idempotency/PaymentsController.text/" + key + "?scope=alice").body())
			.contains("\"state\":\"COMPLETED\"");
		assertThat(get("/actuator/idempotency/PaymentsController.text/" + key).statusCode()).isEqualTo(404);
	}

	private HttpResponse<String> upload(String key, String content) throws Exception {
		String boundary = "----idempotent" + UUID.randomUUID();
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
				+ "Content-Type: text/plain\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
		HttpRequest request = HttpRequest.newBuilder(uri("/payments/upload"))
			.header("Idempotency-Key", key)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private String raw(String request) throws Exception {
		StringBuilder response = new StringBuilder();
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			byte[] buffer = new byte[4096];
			// read what arrives until the problem's closing brace (or the server closes the connection)
			for (int n = socket.getInputStream().read(buffer); n != -1; n = socket.getInputStream().read(buffer)) {
				response.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
				if (response.indexOf("}") >= 0) {
					break;
				}
			}
			return response.toString();
		}
		catch (java.net.SocketTimeoutException ex) {
			throw new AssertionError("no complete answer within 10 s; received: " + response, ex);
		}
	}

	private HttpResponse<String> send(String path, String key, String json) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(uri(path))
			.header("Idempotency-Key", key)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
