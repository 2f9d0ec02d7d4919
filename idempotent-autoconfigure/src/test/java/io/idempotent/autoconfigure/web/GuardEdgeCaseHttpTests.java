package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

import io.idempotent.annotation.Idempotent;

/**
 * Edge cases of the HTTP guard over real HTTP (embedded Tomcat, Spring Security in front, in-memory store), found
 * by attacking the fix of issue 13.
 */
@SpringBootTest(classes = GuardEdgeCaseHttpTests.App.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "idempotent.store.type=memory")
class GuardEdgeCaseHttpTests {

	static final AtomicInteger RUNS = new AtomicInteger();

	static final AtomicInteger FORM_RUNS = new AtomicInteger();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	// "/files/**" and "/docs/{*path}" also match "/files" and "/docs": the guarded-request matcher's literal
	// prefix must not hold the slash before the wildcard, or the base path reaches the handler unguarded (500)

	@Test
	void aCatchAllPatternIsGuardedAtItsBasePathToo() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post("/files", key);
		assertThat(first.statusCode()).isEqualTo(200);
		HttpResponse<String> retry = post("/files", key);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(first.body());
	}

	@Test
	void aCaptureAllPatternIsGuardedAtItsBasePathToo() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post("/docs", key);
		assertThat(first.statusCode()).isEqualTo(200);
		HttpResponse<String> retry = post("/docs", key);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(first.body());
	}

	// a principal whose name is empty is signed in: its scope is not the anonymous (global) one

	@Test
	void anAnonymousCallerCannotReplayTheResponseOfAPrincipalWithAnEmptyName() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> signedIn = post("/whoami", key, "X-Empty-Name-Principal", "yes");
		assertThat(signedIn.body()).startsWith("signed in as ''");
		HttpResponse<String> anonymous = post("/whoami", key);
		assertThat(anonymous.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(anonymous.body()).startsWith("anonymous");
		HttpResponse<String> retry = post("/whoami", key, "X-Empty-Name-Principal", "yes");
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(signedIn.body());
	}

	// a chunked form post has no Content-Length to refuse early, and the container parses its parameters past the
	// guard's request wrapper: the limit must still hold

	@Test
	void aChunkedFormPostOverTheLimitIsA413AndTheHandlerDoesNotRun() throws Exception {
		String key = UUID.randomUUID().toString();
		byte[] form = ("amount=" + "9".repeat(1_500_000)).getBytes(StandardCharsets.US_ASCII);
		int before = FORM_RUNS.get();
		HttpRequest request = HttpRequest.newBuilder(uri("/form"))
			.header("Idempotency-Key", key)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form)))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(FORM_RUNS.get()).isEqualTo(before);
		HttpRequest small = HttpRequest.newBuilder(uri("/form"))
			.header("Idempotency-Key", key)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofInputStream(
					() -> new ByteArrayInputStream("amount=5".getBytes(StandardCharsets.US_ASCII))))
			.build();
		assertThat(this.http.send(small, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("form 1");
	}

	private HttpResponse<String> post(String path, String key, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Idempotency-Key", key)
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("a"));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Api.class)
	static class App {

		@Bean
		SecurityFilterChain api(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		/** Signs a request in as a principal whose name is empty (a token without a subject, say). */
		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		OncePerRequestFilter emptyNamePrincipal() {
			return new OncePerRequestFilter() {

				@Override
				protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
						FilterChain chain) throws ServletException, IOException {
					if (request.getHeader("X-Empty-Name-Principal") == null) {
						chain.doFilter(request, response);
						return;
					}
					chain.doFilter(new HttpServletRequestWrapper(request) {

						@Override
						public Principal getUserPrincipal() {
							return () -> "";
						}

					}, response);
				}

			};
		}

	}

	@RestController
	static class Api {

		@PostMapping("/files/**")
		@Idempotent
		public String files() {
			return "files " + RUNS.incrementAndGet();
		}

		@PostMapping("/docs/{*path}")
		@Idempotent
		public String docs() {
			return "docs " + RUNS.incrementAndGet();
		}

		@PostMapping("/form")
		@Idempotent
		public String form(@RequestParam("amount") String amount) {
			FORM_RUNS.incrementAndGet();
			return "form " + amount.length();
		}

		@PostMapping("/whoami")
		@Idempotent
		public String whoami(HttpServletRequest request) {
			Principal principal = request.getUserPrincipal();
			return ((principal != null) ? "signed in as '" + principal.getName() + "'" : "anonymous") + ", run "
					+ RUNS.incrementAndGet();
		}

	}

}
