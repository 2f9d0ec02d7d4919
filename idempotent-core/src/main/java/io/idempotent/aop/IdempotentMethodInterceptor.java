package io.idempotent.aop;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;

import io.idempotent.codec.ResultCodec;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyKey;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.key.KeyResolver;

/**
 * The one interceptor behind every {@code @Idempotent} method, whatever the transport: resolves the key from
 * the method's pre-parsed expression and lets the engine claim, run, and complete or release. A duplicate of a
 * completed call returns the first call's result, decoded to the method's return type ({@code null} for
 * {@code void}).
 */
public final class IdempotentMethodInterceptor implements MethodInterceptor {

	private static final byte[] NO_RESULT = new byte[0];

	private final IdempotencyEngine engine;

	private final IdempotentMethodRegistry registry;

	private final KeyResolver keys = new KeyResolver();

	private final ResultCodec codec;

	/**
	 * Creates the interceptor.
	 * @param engine the engine
	 * @param registry the guarded methods
	 * @param codec stores and replays return values
	 */
	public IdempotentMethodInterceptor(IdempotencyEngine engine, IdempotentMethodRegistry registry, ResultCodec codec) {
		this.engine = engine;
		this.registry = registry;
		this.codec = codec;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		IdempotentMethod method = this.registry.get(invocation.getMethod(), targetClass);
		IdempotencyKey key = IdempotencyKey.of(method.keyNamespace(), this.keys.resolve(method, invocation));
		return this.engine.execute(method.operation(), key, new MethodCall(invocation, method));
	}

	private final class MethodCall implements GuardedCall<Object> {

		private final MethodInvocation invocation;

		private final IdempotentMethod method;

		MethodCall(MethodInvocation invocation, IdempotentMethod method) {
			this.invocation = invocation;
			this.method = method;
		}

		@Override
		public Object proceed() throws Throwable {
			return this.invocation.proceed();
		}

		@Override
		public byte[] encode(Object result) {
			return this.method.returnsVoid() ? NO_RESULT : IdempotentMethodInterceptor.this.codec.encode(result);
		}

		@Override
		public Object replay(byte[] stored) {
			if (this.method.returnsVoid() || stored.length == 0) {
				return null;
			}
			return IdempotentMethodInterceptor.this.codec.decode(stored, this.method.returnType());
		}

	}

}
