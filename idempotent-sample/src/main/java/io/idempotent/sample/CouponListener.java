package io.idempotent.sample;

import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.springframework.stereotype.Component;

import io.idempotent.annotation.Idempotent;

/**
 * The coupon service: one coupon per paid order, however often {@code OrderPaid} arrives, even when the
 * producer republishes it as a new message (a new msgId). The key is the single value of the message's
 * {@code KEYS}, which the producer sets to the order id ({@code #singleKey}: a message whose {@code KEYS}
 * holds several values is refused, never merged), namespaced by this consumer group. Without a key
 * expression the key would be the msgId, which catches broker redeliveries but not a republish.
 *
 * <p>The coupon is a row in the shop's own database, so {@code application.yml} sets this handler to
 * {@code commit-with-transaction}: the coupon insert and the key's completion commit in one transaction, and a
 * crash of this consumer can neither lose the coupon nor issue a second one.
 */
@Component
@RocketMQMessageListener(topic = OrderPaid.TOPIC, consumerGroup = "coupon-service")
public class CouponListener implements RocketMQListener<OrderPaid> {

	private final ShopRepository shop;

	public CouponListener(ShopRepository shop) {
		this.shop = shop;
	}

	@Override
	@Idempotent(key = "#singleKey")
	public void onMessage(OrderPaid event) {
		this.shop.issueCoupon(event);
	}

}
