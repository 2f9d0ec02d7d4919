package io.idempotent.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The duplicate-coupon story: a payment gateway calls back (and retries), the payment service publishes
 * {@code OrderPaid} (and a producer retry publishes it again), and the coupon and red-packet services each
 * still grant exactly one reward per paid order.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
