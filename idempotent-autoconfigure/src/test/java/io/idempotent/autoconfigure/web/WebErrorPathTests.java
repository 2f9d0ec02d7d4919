package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

import io.idempotent.annotation.Idempotent;

/**
 * An {@link Error} on any path out of a claimed HTTP call ends the claim: the key is never held until its lease
 * runs out (or, with keep-alive, forever). Leases are long here (10 minutes), so a held key would answer 409.
 */
@SpringBootTest(classes = WebErrorPathTests.ErrorApplication.class,
		properties = { "idempotent.store.type=memory", "idempotent.defaults.lease=10m" })
@AutoConfigureMockMvc(addFilters = true)
class WebErrorPathTests {

	static final AtomicInteger runs = new AtomicInteger();

	@Autowired
	private MockMvc mvc;

	@Test
	void anErrorFromTheHandlerReleasesTheKeySoTheRetryRuns() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = runs.get();
		assertThatThrownBy(() -> this.mvc.perform(post("/explode").header("Idempotency-Key", key)))
			.hasRootCauseInstanceOf(StackOverflowError.class);
		assertThatThrownBy(() -> this.mvc.perform(post("/explode").header("Idempotency-Key", key)))
			.hasRootCauseInstanceOf(StackOverflowError.class);
		assertThat(runs.get()).isEqualTo(before + 2);
	}

	@Test
	void anErrorFromAFilterInsideTheGuardEndsTheClaim() throws Exception {
		String key = UUID.randomUUID().toString();
		assertThatThrownBy(() -> this.mvc.perform(post("/fine").header("Idempotency-Key", key).header("X-Fail", "1")))
			.isInstanceOf(AssertionError.class);
		this.mvc.perform(post("/fine").header("Idempotency-Key", key)).andExpect(status().isOk());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ErrorController.class)
	static class ErrorApplication {

		@Bean
		SecurityFilterChain open(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		@Bean
		org.springframework.boot.web.servlet.FilterRegistrationBean<OncePerRequestFilter> failingFilter() {
			OncePerRequestFilter filter = new OncePerRequestFilter() {
				@Override
				protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
						FilterChain chain) throws ServletException, IOException {
					chain.doFilter(request, response);
					if (request.getHeader("X-Fail") != null) {
						throw new AssertionError("a filter inside the guard failed (test)");
					}
				}
			};
			var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(filter);
			registration.setOrder(Ordered.LOWEST_PRECEDENCE);
			return registration;
		}

	}

	@RestController
	static class ErrorController {

		@PostMapping("/explode")
		@Idempotent
		public String explode() {
			runs.incrementAndGet();
			throw new StackOverflowError("test");
		}

		@PostMapping("/fine")
		@Idempotent
		public String fine() {
			return "fine";
		}

	}

}
