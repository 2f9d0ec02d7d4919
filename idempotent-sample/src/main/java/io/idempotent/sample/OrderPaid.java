package io.idempotent.sample;

/**
 * The event published on topic {@code order-paid} when an order is paid; its RocketMQ business key is the
 * order id.
 *
 * @param orderId the order
 * @param userId the customer
 * @param amount the amount paid, in cents
 */
public record OrderPaid(String orderId, String userId, long amount) {

	/** The topic OrderPaid events are published on. */
	public static final String TOPIC = "order-paid";

}
