package io.idempotent.autoconfigure.web.tx;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A coupon issued by a guarded controller: one row per effect. */
@Entity
@Table(name = "http_coupon")
public class HttpCoupon {

	@Id
	@Column(length = 64)
	private String id;

	@Column(name = "order_id", length = 64, nullable = false)
	private String orderId;

	protected HttpCoupon() {
	}

	HttpCoupon(String id, String orderId) {
		this.id = id;
		this.orderId = orderId;
	}

	String getId() {
		return this.id;
	}

}
