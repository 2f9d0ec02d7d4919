package io.idempotent.sample;

import java.util.Map;

import org.apache.rocketmq.spring.core.RocketMQTemplate;
import org.apache.rocketmq.spring.support.RocketMQHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * The payment gateway's callback. Gateways retry callbacks that were slow to answer; {@code @Idempotent}
 * makes the retry get the first answer back (with {@code Idempotent-Replayed: true}) instead of paying the
 * order, and publishing {@code OrderPaid}, again.
 */
@RestController
public class PaymentCallbackController {

	private final ShopRepository shop;

	private final RocketMQTemplate rocketMQ;

	public PaymentCallbackController(ShopRepository shop, RocketMQTemplate rocketMQ) {
		this.shop = shop;
		this.rocketMQ = rocketMQ;
	}

	/**
	 * Marks the order paid and publishes {@code OrderPaid}, keyed by the order id.
	 * @param payment the callback
	 * @return the order
	 */
	@PostMapping("/payments/callback")
	@Idempotent
	public Map<String, Object> paid(@RequestBody PaymentCallback payment) {
		this.shop.markPaid(payment);
		publish(this.rocketMQ, new OrderPaid(payment.orderId(), payment.userId(), payment.amount()));
		return this.shop.findOrder(payment.orderId()).orElseThrow();
	}

	static void publish(RocketMQTemplate rocketMQ, OrderPaid event) {
		rocketMQ.syncSend(OrderPaid.TOPIC,
				MessageBuilder.withPayload(event).setHeader(RocketMQHeaders.KEYS, event.orderId()).build());
	}

}
