package io.idempotent.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.idempotent.key.IdempotentMethodRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README walkthrough, end to end: real HTTP, the embedded RocketMQ broker, the JDBC store on H2. A
 * customer pays once; the gateway retries its callback and the producer republishes twice; the customer
 * still has one coupon and one red packet.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleWalkthroughTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private IdempotentMethodRegistry registry;

	@Test
	void aPaymentRetriedAndRepublishedStillGrantsOneCouponAndOneRedPacket() throws Exception {
		String callback = "{\"orderId\":\"1001\",\"userId\":\"alice\",\"amount\":10000}";
		HttpResponse<String> first = post("/payments/callback", callback, "pay-1001");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(json(first.body()).get("status").asString()).isEqualTo("PAID");

		HttpResponse<String> retry = post("/payments/callback", callback, "pay-1001");
		assertThat(retry.statusCode()).isEqualTo(200);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(first.body());

		assertThat(post("/orders/1001/republish", "", null).statusCode()).isEqualTo(202);
		assertThat(post("/orders/1001/republish", "", null).statusCode()).isEqualTo(202);

		// 1 HTTP retry + 2 republished messages seen by each of the 2 consumer groups
		int duplicatesSent = 1 + 2 * 2;
		await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() >= duplicatesSent);
		JsonNode order = json(get("/orders/1001").body());
		assertThat(order.get("coupons")).hasSize(1);
		assertThat(order.get("redPackets")).hasSize(1);
		assertThat(duplicates()).isGreaterThanOrEqualTo(duplicatesSent);
		assertThat(get("/actuator/health").body()).contains("\"status\":\"UP\"");
		// the coupon consumer commits its completion with the coupon insert; the red packet one completes apart
		assertThat(this.registry.methods()).filteredOn((method) -> method.operation().settings().commitWithTransaction())
			.extracting((method) -> method.operation().name())
			.containsExactly("CouponListener.onMessage");
	}

	private double duplicates() throws Exception {
		HttpResponse<String> metric = get("/actuator/metrics/idempotent.duplicates");
		if (metric.statusCode() != 200) {
			return 0;
		}
		return json(metric.body()).get("measurements").get(0).get("value").asDouble();
	}

	private HttpResponse<String> post(String path, String body, String key) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private static JsonNode json(String body) {
		return JSON.readTree(body);
	}

}
