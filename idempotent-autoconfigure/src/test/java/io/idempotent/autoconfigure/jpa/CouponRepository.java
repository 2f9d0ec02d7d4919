package io.idempotent.autoconfigure.jpa;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data JPA repository of coupons. */
public interface CouponRepository extends JpaRepository<Coupon, String> {

	long countByOrderId(String orderId);

}
