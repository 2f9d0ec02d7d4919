package io.idempotent.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.rocketmq.spring.core.RocketMQTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads an order with its rewards, and republishes {@code OrderPaid} the way a producer retry would
 * (unguarded, on purpose: the consumers must cope).
 */
@RestController
public class OrderController {

	private final ShopRepository shop;

	private final RocketMQTemplate rocketMQ;

	public OrderController(ShopRepository shop, RocketMQTemplate rocketMQ) {
		this.shop = shop;
		this.rocketMQ = rocketMQ;
	}

	/**
	 * The order, its coupons and its red packets.
	 * @param orderId the order
	 * @return the order, or 404
	 */
	@GetMapping("/orders/{orderId}")
	public ResponseEntity<Map<String, Object>> order(@PathVariable String orderId) {
		return this.shop.findOrder(orderId).map((order) -> {
			Map<String, Object> view = new LinkedHashMap<>(order);
			view.put("coupons", this.shop.coupons(orderId));
			view.put("redPackets", this.shop.redPackets(orderId));
			return ResponseEntity.ok(view);
		}).orElse(ResponseEntity.notFound().build());
	}

	/**
	 * Publishes {@code OrderPaid} again, as a producer that did not see its first send acknowledged would.
	 * @param orderId the order
	 * @return 202, or 404 for an unknown order
	 */
	@PostMapping("/orders/{orderId}/republish")
	public ResponseEntity<Map<String, Object>> republish(@PathVariable String orderId) {
		return this.shop.findOrder(orderId).map((order) -> {
			OrderPaid event = new OrderPaid(orderId, (String) order.get("userId"),
					((Number) order.get("amount")).longValue());
			PaymentCallbackController.publish(this.rocketMQ, event);
			return ResponseEntity.accepted().body(Map.<String, Object>of("republished", orderId));
		}).orElse(ResponseEntity.notFound().build());
	}

}
