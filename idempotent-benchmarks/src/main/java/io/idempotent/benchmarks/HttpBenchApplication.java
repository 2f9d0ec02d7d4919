package io.idempotent.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * A small API on embedded Tomcat for the HTTP benchmark: one handler behind the guard ({@code POST /orders/g},
 * key from the {@code Idempotency-Key} header) and the same handler without it ({@code POST /orders/p}). Started
 * with {@code idempotent.enabled=false} it is the same application without the guard.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(HttpBenchApplication.OrdersController.class)
class HttpBenchApplication {

	/** How often the guarded handler really ran. */
	static final AtomicLong GUARDED_RUNS = new AtomicLong();

	/** An order as the client posts it. */
	public record Order(String orderId, long amount) {
	}

	/** What the API answers. */
	public record Receipt(String orderId, long amount, String status) {
	}

	/** The endpoints. */
	@RestController
	public static class OrdersController {

		@PostMapping("/orders/g")
		@Idempotent
		public Receipt guarded(@RequestBody Order order) {
			GUARDED_RUNS.incrementAndGet();
			return new Receipt(order.orderId(), order.amount(), "accepted");
		}

		@PostMapping("/orders/p")
		public Receipt plain(@RequestBody Order order) {
			return new Receipt(order.orderId(), order.amount(), "accepted");
		}

	}

}
