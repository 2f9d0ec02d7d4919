package io.idempotent.aop;

import java.util.function.Supplier;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ReflectionUtils;

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
		if (AnnotationUtils.isCandidateClass(targetClass, Idempotent.class) && isGuarded(targetClass)) {
			this.registry.get().register(targetClass);
		}
		return bean;
	}

	private static boolean isGuarded(Class<?> targetClass) {
		if (AnnotatedElementUtils.hasAnnotation(targetClass, Idempotent.class)) {
			return true;
		}
		boolean[] found = new boolean[1];
		ReflectionUtils.doWithMethods(targetClass, (method) -> found[0] = true,
				(method) -> !found[0] && AnnotatedElementUtils.hasAnnotation(method, Idempotent.class));
		return found[0];
	}

}
