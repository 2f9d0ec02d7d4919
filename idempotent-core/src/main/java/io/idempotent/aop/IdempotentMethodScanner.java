package io.idempotent.aop;

import java.util.function.Supplier;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotationUtils;

import io.idempotent.annotation.Idempotent;
import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Registers the {@code @Idempotent} methods of every bean as it is created, so a key expression that does not
 * parse, or a method with no key, fails start-up instead of the first call.
 */
public final class IdempotentMethodScanner implements BeanPostProcessor {

	private final Supplier<IdempotentMethodRegistry> registry;

	/**
	 * Creates the scanner.
	 * @param registry the registry, looked up lazily so that this post-processor does not create it early
	 */
	public IdempotentMethodScanner(Supplier<IdempotentMethodRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (AnnotationUtils.isCandidateClass(targetClass, Idempotent.class)
				&& !(bean instanceof IdempotentMethodRegistry)) {
			this.registry.get().register(targetClass);
		}
		return bean;
	}

}
