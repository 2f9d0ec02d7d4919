package io.idempotent.aop;

import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.core.Ordered;

/**
 * Applies the {@link IdempotentMethodInterceptor} to {@code @Idempotent} methods. Ordered before Spring's
 * transaction advisor by default, so the claim is decided outside the method's own transaction.
 */
public final class IdempotentAdvisor extends AbstractPointcutAdvisor {

	/** The default order: before {@code @Transactional} (which runs at the lowest precedence). */
	public static final int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	private static final long serialVersionUID = 1L;

	private final transient IdempotentMethodInterceptor interceptor;

	private final transient Pointcut pointcut = new IdempotentPointcut();

	/**
	 * Creates the advisor.
	 * @param interceptor the interceptor
	 */
	public IdempotentAdvisor(IdempotentMethodInterceptor interceptor) {
		this.interceptor = interceptor;
		setOrder(DEFAULT_ORDER);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
