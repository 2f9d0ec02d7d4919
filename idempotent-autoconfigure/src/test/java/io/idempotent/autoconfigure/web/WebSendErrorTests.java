package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.idempotent.annotation.Idempotent;

/**
 * Over real Tomcat: an error sent with {@code sendError} ({@code ResponseStatusException}) is decided by the
 * status that reaches the client, like a returned one: a 409 is stored and replayed (4xx is stored by default), a
 * 503 releases the key so the retry runs.
 */
@SpringBootTest(classes = WebSendErrorTests.SendErrorApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "idempotent.store.type=memory")
class WebSendErrorTests {

	static final AtomicInteger conflicts = new AtomicInteger();

	static final AtomicInteger outages = new AtomicInteger();

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void aConflictSentAsAnErrorIsStoredAndReplayedLikeAReturnedOne() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = conflicts.get();
		HttpResponse<String> first = post("/conflict", key);
		HttpResponse<String> retry = post("/conflict", key);
		assertThat(first.statusCode()).isEqualTo(409);
		assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(retry.statusCode()).isEqualTo(409);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(first.body());
		assertThat(conflicts.get()).isEqualTo(before + 1);
	}

	@Test
	void aServerErrorSentAsAnErrorReleasesTheKeySoTheRetryRuns() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = outages.get();
		assertThat(post("/outage", key).statusCode()).isEqualTo(503);
		HttpResponse<String> retry = post("/outage", key);
		assertThat(retry.statusCode()).isEqualTo(503);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(outages.get()).isEqualTo(before + 2);
	}

	private HttpResponse<String> post(String path, String key) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Idempotency-Key", key)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(SendErrorController.class)
	static class SendErrorApplication {

		@Bean
		SecurityFilterChain open(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

	}

	@RestController
	static class SendErrorController {

		@PostMapping("/conflict")
		@Idempotent
		public String conflict() {
			conflicts.incrementAndGet();
			throw new ResponseStatusException(HttpStatus.CONFLICT, "order already captured");
		}

		@PostMapping("/outage")
		@Idempotent
		public String outage() {
			outages.incrementAndGet();
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "gateway down");
		}

	}

}
