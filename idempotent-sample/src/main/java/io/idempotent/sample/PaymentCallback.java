package io.idempotent.sample;

/**
 * What the payment gateway posts when a payment succeeds.
 *
 * @param orderId the order
 * @param userId the customer
 * @param amount the amount paid, in cents
 */
public record PaymentCallback(String orderId, String userId, long amount) {
}
