package io.idempotent.aop;

import org.aopalliance.intercept.MethodInvocation;

import io.idempotent.core.IdempotencyEngine;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.InvocationAdapter;
import io.idempotent.key.KeyResolver;

/**
 * An adapter that drives the guarded call itself, for a transport whose duplicates are answered differently
 * from a return value (an HTTP response written and replayed byte for byte, a 409, a 400).
 */
public interface GuardingInvocationAdapter extends InvocationAdapter {

	/**
	 * Runs one guarded call.
	 * @param method the guarded method
	 * @param invocation the call
	 * @param engine the engine
	 * @param keys evaluates the method's key expression
	 * @return the call's result
	 * @throws Throwable whatever the method throws, unchanged
	 */
	Object invoke(IdempotentMethod method, MethodInvocation invocation, IdempotencyEngine engine, KeyResolver keys)
			throws Throwable;

}
