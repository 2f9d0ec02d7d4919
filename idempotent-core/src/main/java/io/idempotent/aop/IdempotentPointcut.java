package io.idempotent.aop;

import java.lang.reflect.Method;

import org.springframework.aop.support.StaticMethodMatcherPointcut;

import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Matches methods annotated {@code @Idempotent}, and the public methods of annotated types.
 */
public final class IdempotentPointcut extends StaticMethodMatcherPointcut {

	@Override
	public boolean matches(Method method, Class<?> targetClass) {
		return IdempotentMethodRegistry.findAnnotation(method, targetClass) != null;
	}

}
