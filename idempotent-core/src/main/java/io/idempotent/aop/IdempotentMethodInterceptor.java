package io.idempotent.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.function.SingletonSupplier;

import io.idempotent.codec.ResultCodec;
import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.key.KeyResolver;
import io.idempotent.observation.IdempotencyObservations;

/**
 * The one interceptor behind every {@code @Idempotent} method, whatever the transport: resolves the key from
 * the method's pre-parsed expression and lets the engine claim, run, and complete or release. A duplicate of a
 * completed call returns the first call's result, decoded to the method's return type ({@code null} for
 * {@code void}).
 */
public final class IdempotentMethodInterceptor implements MethodInterceptor {

	private static final byte[] NO_RESULT = new byte[0];

	private final SingletonSupplier<IdempotencyEngine> engine;

	private final SingletonSupplier<IdempotentMethodRegistry> registry;

	private final SingletonSupplier<ResultCodec> codec;

	private final KeyResolver keys = new KeyResolver();

	private final SingletonSupplier<IdempotencyObservations> observations;

	/**
	 * Creates the interceptor.
	 * @param engine the engine
	 * @param registry the guarded methods
	 * @param codec stores and replays return values
	 */
	public IdempotentMethodInterceptor(IdempotencyEngine engine, IdempotentMethodRegistry registry, ResultCodec codec) {
		this(() -> engine, () -> registry, () -> codec);
	}

	/**
	 * Creates the interceptor on collaborators looked up at the first call, so that creating the advisor (which
	 * Spring does early, while it registers post-processors) does not create the store and its dependencies.
	 * @param engine supplies the engine
	 * @param registry supplies the guarded methods
	 * @param codec supplies the codec
	 */
	public IdempotentMethodInterceptor(Supplier<IdempotencyEngine> engine, Supplier<IdempotentMethodRegistry> registry,
			Supplier<ResultCodec> codec) {
		this(engine, registry, codec, () -> IdempotencyObservations.NONE);
	}

	/**
	 * Creates the interceptor on collaborators looked up at the first call, observing each guarded call.
	 * @param engine supplies the engine
	 * @param registry supplies the guarded methods
	 * @param codec supplies the codec
	 * @param observations supplies the observations ({@link IdempotencyObservations#NONE} for none)
	 */
	public IdempotentMethodInterceptor(Supplier<IdempotencyEngine> engine, Supplier<IdempotentMethodRegistry> registry,
			Supplier<ResultCodec> codec, Supplier<IdempotencyObservations> observations) {
		this.engine = SingletonSupplier.of(engine);
		this.registry = SingletonSupplier.of(registry);
		this.codec = SingletonSupplier.of(codec);
		this.observations = SingletonSupplier.of(observations);
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		IdempotentMethod method = this.registry.obtain().get(invocation.getMethod(), targetClass);
		IdempotencyObservations observations = this.observations.obtain();
		if (observations.enabled()) {
			return observations.observe(method.operation(), () -> guard(method, invocation));
		}
		return guard(method, invocation);
	}

	private Object guard(IdempotentMethod method, MethodInvocation invocation) throws Throwable {
		if (method.adapter() instanceof GuardingInvocationAdapter guarding) {
			return guarding.invoke(method, invocation, this.engine.obtain(), this.keys);
		}
		IdempotencyKey key = IdempotencyKey.of(method.keyNamespace(), this.keys.resolve(method, invocation));
		return this.engine.obtain().execute(method.operation(), key, new MethodCall(invocation, method));
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
			return this.method.returnsVoid() ? NO_RESULT : IdempotentMethodInterceptor.this.codec.obtain().encode(result);
		}

		@Override
		public Object replay(byte[] stored) {
			if (this.method.returnsVoid() || stored.length == 0) {
				return null;
			}
			return IdempotentMethodInterceptor.this.codec.obtain().decode(stored, this.method.returnType());
		}

		@Override
		public byte[] fingerprint() {
			return (this.method.adapter() != null) ? this.method.adapter().fingerprint(this.invocation) : null;
		}

		@Override
		public boolean waitsWhileInProgress() {
			return this.method.adapter() != null
					&& this.method.adapter().waitsWhileInProgress(this.method, this.invocation);
		}

		@Override
		public void refusedInProgress() {
			if (this.method.adapter() != null) {
				this.method.adapter().refusedInProgress(this.method, this.invocation);
			}
		}

	}

}
