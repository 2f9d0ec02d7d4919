package io.idempotent.autoconfigure.web;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * A small payments API whose endpoints each show one rule of the HTTP guard. Counts how often each handler
 * really runs.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(PaymentsTestApplication.PaymentsController.class)
public class PaymentsTestApplication {

	static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

	/**
	 * Spring Security in front, as in a real API: anyone may call, and callers who sign in with HTTP Basic
	 * (alice, bob) are principals whose keys are scoped to them.
	 */
	@Bean
	SecurityFilterChain api(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.httpBasic(Customizer.withDefaults())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.build();
	}

	@Bean
	UserDetailsService users() {
		return new InMemoryUserDetailsManager(User.withUsername("alice").password("{noop}secret").roles("USER").build(),
				User.withUsername("bob").password("{noop}secret").roles("USER").build());
	}

	static int runs(String handler) {
		return RUNS.getOrDefault(handler, new AtomicInteger()).get();
	}

	static int run(String handler) {
		return RUNS.computeIfAbsent(handler, (k) -> new AtomicInteger()).incrementAndGet();
	}

	record Payment(String orderId, int amount) {
	}

	record Receipt(String receiptId, String orderId, int amount) {
	}

	@RestController
	@RequestMapping("/payments")
	public static class PaymentsController {

		@PostMapping
		@Idempotent
		public ResponseEntity<Receipt> pay(@RequestBody Payment payment) {
			int run = run("pay");
			return ResponseEntity.created(URI.create("/payments/r-" + run))
				.header("X-Run", Integer.toString(run))
				.body(new Receipt("r-" + run, payment.orderId(), payment.amount()));
		}

		@PostMapping("/slow")
		@Idempotent
		public Receipt slow(@RequestBody Payment payment) throws InterruptedException {
			int run = run("slow");
			Thread.sleep(300);
			return new Receipt("r-" + run, payment.orderId(), payment.amount());
		}

		@PostMapping("/flaky")
		@Idempotent
		public Receipt flaky(@RequestBody Payment payment) {
			if (run("flaky") == 1) {
				throw new IllegalStateException("gateway timeout");
			}
			return new Receipt("r-flaky", payment.orderId(), payment.amount());
		}

		@PostMapping("/unavailable")
		@Idempotent
		public ResponseEntity<String> unavailable() {
			return (run("unavailable") == 1) ? ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("busy")
					: ResponseEntity.ok("done");
		}

		@PostMapping("/rejected")
		@Idempotent
		public ResponseEntity<String> rejected() {
			return ResponseEntity.badRequest().body("card declined " + run("rejected"));
		}

		@PostMapping("/validated")
		@Idempotent
		public ResponseEntity<String> validated() {
			int run = run("validated");
			return (run == 1) ? ResponseEntity.badRequest().body("missing field") : ResponseEntity.ok("accepted");
		}

		@PostMapping("/void")
		@Idempotent
		@ResponseStatus(HttpStatus.NO_CONTENT)
		public void noContent() {
			run("void");
		}

		@PostMapping("/text")
		@Idempotent
		public String text() {
			return "text " + run("text");
		}

		@PostMapping("/orders/{orderId}/capture")
		@Idempotent(key = "#orderId")
		public String capture(@PathVariable String orderId) {
			return "captured " + orderId + " " + run("capture");
		}

		@PostMapping("/big")
		@Idempotent
		public String big() {
			run("big");
			return "x".repeat(4096);
		}

	}

}
