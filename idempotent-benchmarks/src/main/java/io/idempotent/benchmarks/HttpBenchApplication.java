package io.idempotent.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * A small API on embedded Tomcat for the HTTP benchmark: one handler behind the guard ({@code POST /orders/g},
 * key from the {@code Idempotency-Key} header) and the same handler without it ({@code POST /orders/p}); on the
 * Redis store also the same handler sending the store's round trips itself ({@code POST /orders/r}). Started
 * without the idempotent auto-configurations it is the same application without the guard.
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

	/**
	 * The same handler, unguarded, sending the Redis store's own claim and completion scripts itself (added to
	 * the application on the Redis store only): the baseline that leaves the guard's own cost.
	 */
	@RestController
	public static class RawRoundTripsController implements DisposableBean {

		private final RawRedisRoundTrips redis;

		public RawRoundTripsController(RedisConnectionFactory connectionFactory) {
			this.redis = new RawRedisRoundTrips(connectionFactory, "http-bench-raw");
		}

		@PostMapping("/orders/r")
		public Receipt raw(@RequestBody Order order, @RequestHeader("Idempotency-Key") String key) {
			if (this.redis.claimAndComplete(key) != RawRedisRoundTrips.Claim.RAN) {
				throw new IllegalStateException("The raw claim of a unique key " + key + " found it taken");
			}
			return new Receipt(order.orderId(), order.amount(), "accepted");
		}

		@Override
		public void destroy() {
			this.redis.destroy();
		}

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
