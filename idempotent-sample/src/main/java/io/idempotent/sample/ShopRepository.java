package io.idempotent.sample;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Orders, coupons and red packets, in the application's database (embedded H2 by default).
 */
@Repository
public class ShopRepository {

	private final JdbcTemplate jdbc;

	public ShopRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records an order as paid.
	 * @param payment the callback
	 */
	public void markPaid(PaymentCallback payment) {
		int updated = this.jdbc.update("UPDATE shop_order SET status = 'PAID', amount = ? WHERE order_id = ?",
				payment.amount(), payment.orderId());
		if (updated == 0) {
			this.jdbc.update("INSERT INTO shop_order (order_id, user_id, amount, status) VALUES (?, ?, ?, 'PAID')",
					payment.orderId(), payment.userId(), payment.amount());
		}
	}

	/**
	 * An order.
	 * @param orderId the order
	 * @return its columns, empty when unknown
	 */
	public Optional<Map<String, Object>> findOrder(String orderId) {
		return this.jdbc.queryForList("SELECT order_id AS \"orderId\", user_id AS \"userId\", amount AS \"amount\", status AS \"status\" "
				+ "FROM shop_order WHERE order_id = ?",
				orderId).stream().findFirst();
	}

	/**
	 * Issues one coupon.
	 * @param event the paid order
	 */
	public void issueCoupon(OrderPaid event) {
		this.jdbc.update("INSERT INTO coupon (order_id, user_id, code) VALUES (?, ?, ?)", event.orderId(),
				event.userId(), "WELCOME-" + event.orderId());
	}

	/**
	 * Grants one red packet.
	 * @param event the paid order
	 */
	public void grantRedPacket(OrderPaid event) {
		this.jdbc.update("INSERT INTO red_packet (order_id, user_id, amount) VALUES (?, ?, ?)", event.orderId(),
				event.userId(), Math.max(1, event.amount() / 100));
	}

	/**
	 * The coupons of an order.
	 * @param orderId the order
	 * @return the coupons
	 */
	public List<Map<String, Object>> coupons(String orderId) {
		return this.jdbc.queryForList("SELECT id AS \"id\", code AS \"code\" FROM coupon WHERE order_id = ? ORDER BY id", orderId);
	}

	/**
	 * The red packets of an order.
	 * @param orderId the order
	 * @return the red packets
	 */
	public List<Map<String, Object>> redPackets(String orderId) {
		return this.jdbc.queryForList("SELECT id AS \"id\", amount AS \"amount\" FROM red_packet WHERE order_id = ? ORDER BY id",
				orderId);
	}

}
