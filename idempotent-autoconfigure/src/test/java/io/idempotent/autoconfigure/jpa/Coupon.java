package io.idempotent.autoconfigure.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A coupon row, with an assigned id so Hibernate inserts it only when it flushes at commit. */
@Entity
public class Coupon {

	@Id
	private String id;

	private String orderId;

	protected Coupon() {
	}

	public Coupon(String id, String orderId) {
		this.id = id;
		this.orderId = orderId;
	}

	public String getOrderId() {
		return this.orderId;
	}

}
