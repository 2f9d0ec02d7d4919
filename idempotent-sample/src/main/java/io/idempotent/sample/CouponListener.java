package io.idempotent.sample;

import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.springframework.stereotype.Component;

import io.idempotent.annotation.Idempotent;

/**
 * The coupon service: one coupon per paid order, however often {@code OrderPaid} arrives. The key is the
 * message's business key (the order id), namespaced by this consumer group.
 */
@Component
@RocketMQMessageListener(topic = OrderPaid.TOPIC, consumerGroup = "coupon-service")
public class CouponListener implements RocketMQListener<OrderPaid> {

	private final ShopRepository shop;

	public CouponListener(ShopRepository shop) {
		this.shop = shop;
	}

	@Override
	@Idempotent
	public void onMessage(OrderPaid event) {
		this.shop.issueCoupon(event);
	}

}
