package io.idempotent.autoconfigure.web.tx;

import org.springframework.data.jpa.repository.JpaRepository;

/** The coupons' Spring Data JPA repository. */
public interface HttpCouponRepository extends JpaRepository<HttpCoupon, String> {

	long countByOrderId(String orderId);

}
