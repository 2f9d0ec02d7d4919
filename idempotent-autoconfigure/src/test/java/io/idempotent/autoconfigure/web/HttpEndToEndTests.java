package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
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
