package io.idempotent.autoconfigure.web;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Controller;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.View;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
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
@Import({ PaymentsTestApplication.PaymentsController.class, PaymentsTestApplication.ReceiptPages.class })
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

	/** Counts how often any handler lookup reaches this mapping, which never answers. */
	@Bean
	CountingHandlerMapping countingHandlerMapping() {
		return new CountingHandlerMapping();
	}

	/** A view resolved by bean name, counting its renders. */
	@Bean
	View receiptView() {
		return new View() {

			@Override
			public String getContentType() {
				return "text/plain";
			}

			@Override
			public void render(Map<String, ?> model, HttpServletRequest request, HttpServletResponse response)
					throws Exception {
				response.setContentType("text/plain");
				response.getWriter().write("receipt page " + run("view-render"));
			}

		};
	}

	static int runs(String handler) {
		return RUNS.getOrDefault(handler, new AtomicInteger()).get();
	}

	static int run(String handler) {
		return RUNS.computeIfAbsent(handler, (k) -> new AtomicInteger()).incrementAndGet();
	}

	record Payment(String orderId, int amount) {
	}

	static final class CountingHandlerMapping implements HandlerMapping, Ordered {

		final AtomicInteger lookups = new AtomicInteger();

		@Override
		public HandlerExecutionChain getHandler(HttpServletRequest request) {
			this.lookups.incrementAndGet();
			return null;
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

	static final class AlreadyCapturedException extends RuntimeException {

		AlreadyCapturedException() {
			super("already captured");
		}

	}

	/** A server-rendered page: the handler returns a view name. */
	@Controller
	public static class ReceiptPages {

		@PostMapping("/pages/receipt")
		@Idempotent
		public String receipt() {
			run("view");
			return "receiptView";
		}

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
		public ResponseEntity<String> big() {
			int run = run("big");
			return ResponseEntity.created(URI.create("/payments/big-" + run)).body("x".repeat(4096));
		}

		@PostMapping("/count")
		@Idempotent
		public int count() {
			return run("count");
		}

		@PostMapping("/capture-twice")
		@Idempotent
		public String captureTwice() {
			run("capture-twice");
			throw new AlreadyCapturedException();
		}

		@ExceptionHandler(AlreadyCapturedException.class)
		public ResponseEntity<String> alreadyCaptured(AlreadyCapturedException ex) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("conflict " + runs("capture-twice"));
		}

		@PostMapping("/gateway-down")
		@Idempotent
		public ResponseEntity<String> gatewayDown() {
			return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body("gateway down " + run("gateway-down"));
		}

		@PostMapping("/cookie")
		@Idempotent
		public ResponseEntity<String> cookie() {
			int run = run("cookie");
			return ResponseEntity.ok()
				.header("Set-Cookie", "session=secret-" + run)
				.header("Authorization", "Bearer secret-" + run)
				.header("WWW-Authenticate", "Basic")
				.header("X-Run", Integer.toString(run))
				.body("cookie " + run);
		}

		@PostMapping("/reordered")
		@Idempotent
		public String reordered(@RequestBody Payment payment) {
			return "paid " + payment.orderId() + " " + run("reordered");
		}

		@PostMapping("/upload")
		@Idempotent
		public String upload(@RequestParam("file") MultipartFile file) {
			return "uploaded " + file.getSize() + " bytes, run " + run("upload");
		}

		@PostMapping("/deferred")
		@Idempotent
		public Object deferred() {
			DeferredResult<String> result = new DeferredResult<>(10_000L);
			int run = run("deferred");
			CompletableFuture.runAsync(() -> result.setResult("deferred " + run));
			return result;
		}

		@PostMapping("/never")
		@Idempotent
		public Object never() {
			run("never");
			return new DeferredResult<String>(200L);
		}

		@GetMapping("/statement")
		@Idempotent
		public String statement() {
			return "statement " + run("statement");
		}

		@GetMapping("/unguarded")
		public String unguarded(HttpServletResponse response) {
			return response.getClass().getName();
		}

		@PostMapping("/guarded-json")
		@Idempotent
		public String guardedJson(@RequestBody Payment payment) {
			return "seen " + payment.orderId().length();
		}

		@PostMapping("/unguarded-json")
		public String unguardedJson(@RequestBody Payment payment) {
			return "seen " + payment.orderId().length();
		}

		@PostMapping("/unguarded")
		public String unguardedPost(HttpServletResponse response) {
			return response.getClass().getName();
		}

	}

}
