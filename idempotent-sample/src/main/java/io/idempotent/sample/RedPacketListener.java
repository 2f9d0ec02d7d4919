package io.idempotent.sample;

import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.springframework.stereotype.Component;

import io.idempotent.annotation.Idempotent;

/**
 * The red-packet service: one red packet per paid order, however often {@code OrderPaid} arrives, even when
 * the producer republishes it as a new message (a new msgId). Its key is the business key in the payload,
 * the order id; the metadata of the message ({@code #keys}, {@code #singleKey}, {@code #msgId}, {@code #tags},
 * ...) is there too.
 */
@Component
@RocketMQMessageListener(topic = OrderPaid.TOPIC, consumerGroup = "red-packet-service")
public class RedPacketListener implements RocketMQListener<OrderPaid> {

	private final ShopRepository shop;

	public RedPacketListener(ShopRepository shop) {
		this.shop = shop;
	}

	@Override
	@Idempotent(key = "#event.orderId")
	public void onMessage(OrderPaid event) {
		this.shop.grantRedPacket(event);
	}

}
