package io.idempotent.autoconfigure.web.tx;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * Guarded controllers in commit-with-transaction mode: each issues a coupon (one row of {@code http_coupon}) with
 * JdbcTemplate or JPA, with or without its own {@code @Transactional}, then does what the test planned for that
 * order (return, throw, return a status that is not stored, answer too much, wait, ...). Counts executions.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ CouponsWebApplication.CouponController.class, CouponsWebApplication.ReceiptController.class,
		CouponsWebApplication.LoyaltyService.class, CouponsWebApplication.PointsService.class })
public class CouponsWebApplication {

	/** What a controller does after its write, by order id (consumed by the call). Default: answer 201. */
	static final Map<String, Consumer<String>> PLANS = new ConcurrentHashMap<>();

	/** How often each order's controller ran (committed or not). */
	static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();

	/** The status each order's controller answers with (201 unless planned otherwise). */
	static final Map<String, Integer> STATUSES = new ConcurrentHashMap<>();

	/** Bodies larger than the configured response limit, by order id. */
	static final Map<String, Integer> BODY_SIZES = new ConcurrentHashMap<>();

	static int executions(String order) {
		AtomicInteger count = EXECUTIONS.get(order);
		return (count != null) ? count.get() : 0;
	}

	@Bean
	SecurityFilterChain permitAll(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.build();
	}

	/** How often a response was committed to the client while its controller ran, by order id. */
	static final Map<String, Boolean> COMMITTED_WHILE_RUNNING = new ConcurrentHashMap<>();

	/** A transactional service the coupon controllers call: it fails, marking the transaction rollback-only. */
	@Service
	static class LoyaltyService {

		@Transactional
		public void award(String order) {
			throw new IllegalStateException("loyalty points unavailable for " + order);
		}

	}

	/** A guarded bean in the default mode (its claim and completion are store calls of their own). */
	@Service
	static class PointsService {

		private final JdbcTemplate jdbc;

		PointsService(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Idempotent(key = "#order", name = "coupons.points")
		public void award(String order) {
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", UUID.randomUUID().toString(),
					order + "-points");
		}

	}

	/** A second guarded controller, called directly by a coupon controller: it writes a receipt row. */
	@RestController
	static class ReceiptController {

		private final JdbcTemplate jdbc;

		ReceiptController(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@PostMapping("/receipt/{order}")
		@Idempotent(name = "coupons.receipt", commitWithTransaction = true)
		public ResponseEntity<String> receipt(@PathVariable String order) {
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", UUID.randomUUID().toString(),
					order + "-receipt");
			return ResponseEntity.status(201).body("{\"receipt\":\"" + order + "\"}");
		}

	}

	/** A failure mapped to a stored status (409) by an exception handler. */
	static final class CouponConflict extends RuntimeException {

		CouponConflict() {
			super("conflict");
		}

	}

	@RestController
	static class CouponController {

		private final JdbcTemplate jdbc;

		private final HttpCouponRepository repository;

		private final LoyaltyService loyalty;

		private final ReceiptController receipts;

		private final PointsService points;

		CouponController(JdbcTemplate jdbc, HttpCouponRepository repository, LoyaltyService loyalty,
				ReceiptController receipts, PointsService points) {
			this.jdbc = jdbc;
			this.repository = repository;
			this.loyalty = loyalty;
			this.receipts = receipts;
			this.points = points;
		}

		/** Issues the coupon, then awards points through a guarded bean in the default mode. */
		@PostMapping("/jdbc-points/{order}")
		@Idempotent(name = "coupons.jdbc-points", commitWithTransaction = true)
		public ResponseEntity<String> jdbcPoints(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", id, order);
			this.points.award(order);
			return answer(order, id);
		}

		/** Issues the coupon, calls a transactional service that fails and carries on as if nothing happened. */
		@PostMapping("/jdbc-fallback/{order}")
		@Idempotent(name = "coupons.jdbc-fallback", commitWithTransaction = true)
		public ResponseEntity<String> jdbcFallback(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", id, order);
			try {
				this.loyalty.award(order);
			}
			catch (IllegalStateException ex) {
				// no loyalty points this time: the coupon is still answered as issued
			}
			return answer(order, id);
		}

		/** Issues the coupon and calls the (guarded) receipt controller directly. */
		@PostMapping("/jdbc-nested/{order}")
		@Idempotent(name = "coupons.jdbc-nested", commitWithTransaction = true)
		public ResponseEntity<String> jdbcNested(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", id, order);
			this.receipts.receipt(order);
			return answer(order, id);
		}

		/** Writes its answer and flushes it (buffer and stream) before returning. */
		@PostMapping("/jdbc-flush/{order}")
		@Idempotent(name = "coupons.jdbc-flush", commitWithTransaction = true)
		public void jdbcFlush(@PathVariable String order, jakarta.servlet.http.HttpServletResponse response)
				throws java.io.IOException {
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", UUID.randomUUID().toString(),
					order);
			EXECUTIONS.computeIfAbsent(order, (key) -> new AtomicInteger()).incrementAndGet();
			response.setStatus(201);
			response.setContentType("text/plain");
			response.getOutputStream().write(("flushed " + order).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			response.getOutputStream().flush();
			response.flushBuffer();
			COMMITTED_WHILE_RUNNING.put(order, response.isCommitted());
		}

		@PostMapping("/jdbc/{order}")
		@Idempotent(name = "coupons.jdbc", commitWithTransaction = true)
		public ResponseEntity<String> jdbc(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", id, order);
			return answer(order, id);
		}

		@PostMapping("/jdbc-transactional/{order}")
		@Idempotent(name = "coupons.jdbc-transactional", commitWithTransaction = true)
		@Transactional
		public ResponseEntity<String> jdbcTransactional(@PathVariable String order) {
			return jdbc(order);
		}

		@PostMapping("/jpa/{order}")
		@Idempotent(name = "coupons.jpa", commitWithTransaction = true)
		@Transactional
		public ResponseEntity<String> jpa(@PathVariable String order) {
			HttpCoupon coupon = this.repository.save(new HttpCoupon(UUID.randomUUID().toString(), order));
			return answer(order, coupon.getId());
		}

		/** Starts async processing by hand (async return types are refused at start-up in this mode). */
		@PostMapping("/jdbc-async/{order}")
		@Idempotent(name = "coupons.jdbc-async", commitWithTransaction = true)
		public void jdbcAsync(@PathVariable String order, jakarta.servlet.http.HttpServletRequest request) {
			this.jdbc.update("INSERT INTO http_coupon (id, order_id) VALUES (?, ?)", UUID.randomUUID().toString(),
					order);
			EXECUTIONS.computeIfAbsent(order, (key) -> new AtomicInteger()).incrementAndGet();
			jakarta.servlet.AsyncContext async = request.startAsync();
			async.start(() -> {
				try {
					async.getResponse().setContentType("text/plain");
					async.getResponse().getWriter().write("async " + order);
				}
				catch (java.io.IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
				async.complete();
			});
		}

		@ExceptionHandler(CouponConflict.class)
		ResponseEntity<String> conflict(CouponConflict ex) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("{\"problem\":\"conflict\"}");
		}

		private static ResponseEntity<String> answer(String order, String id) {
			EXECUTIONS.computeIfAbsent(order, (key) -> new AtomicInteger()).incrementAndGet();
			Consumer<String> plan = PLANS.remove(order);
			if (plan != null) {
				plan.accept(order);
			}
			Integer size = BODY_SIZES.get(order);
			String body = (size != null) ? "x".repeat(size) : "{\"coupon\":\"" + id + "\",\"order\":\"" + order + "\"}";
			return ResponseEntity.status(STATUSES.getOrDefault(order, 201))
				.header("Location", "/coupons/" + id)
				.body(body);
		}

	}

}
