package io.idempotent.key;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.expression.EvaluationContext;

import io.idempotent.core.IdempotentOperation;

/**
 * Teaches the guard about one transport (RocketMQ listeners, Spring MVC controllers): which methods it
 * serves, how their keys are namespaced, what the key expression can see, and the key used when the
 * annotation gives none. Decisions about a method are taken once, at start-up.
 */
public interface InvocationAdapter {

	/**
	 * Whether calls of this method arrive through this adapter's transport.
	 * @param method the annotated method
	 * @param targetClass the bean's class
	 * @return true to serve it
	 */
	boolean supports(Method method, Class<?> targetClass);

	/**
	 * The transport's name, a metric tag: {@code rocketmq}, {@code http}.
	 * @return the source
	 */
	String source();

	/**
	 * Rejects, at start-up, a method this transport cannot guard (a streaming HTTP response, say).
	 * @param method the method
	 * @param targetClass the bean's class
	 * @throws io.idempotent.core.IdempotencyConfigurationException when it cannot be guarded
	 */
	default void validate(Method method, Class<?> targetClass) {
	}

	/**
	 * The namespace keys of this method live in; by default the operation name.
	 * @param operationName the operation name
	 * @param method the method
	 * @param targetClass the bean's class
	 * @return the namespace
	 */
	default String keyNamespace(String operationName, Method method, Class<?> targetClass) {
		return operationName;
	}

	/**
	 * Whether {@link #defaultKey} gives a key when the annotation has no expression.
	 * @return true when there is a default key
	 */
	default boolean providesDefaultKey() {
		return false;
	}

	/**
	 * Adds transport variables (message metadata, the request) to a call's key evaluation context.
	 * @param context the context
	 * @param invocation the call
	 */
	default void contributeVariables(EvaluationContext context, MethodInvocation invocation) {
	}

	/**
	 * The key of a call whose annotation has no expression.
	 * @param invocation the call
	 * @return the key, or null when there is none
	 */
	default String defaultKey(MethodInvocation invocation) {
		return null;
	}

	/**
	 * A human description of the default key, for error messages ("the message keys or id").
	 * @return the description
	 */
	default String defaultKeyDescription() {
		return "the default key";
	}

	/**
	 * Checks, at start-up, a method's operation and settings against what the transport needs (a lease that
	 * outlasts a message's redeliveries, say); may log or throw
	 * {@link io.idempotent.core.IdempotencyConfigurationException}.
	 * @param operation the operation with its settings
	 * @param method the method
	 * @param targetClass the bean's class
	 */
	default void validateOperation(IdempotentOperation operation, Method method, Class<?> targetClass) {
	}

	/**
	 * A digest of the call's payload (at most 64 bytes), stored with the claim so a completed key reused for a
	 * different payload is recognised.
	 * @param invocation the call
	 * @return the fingerprint, or null when the transport has none
	 */
	default byte[] fingerprint(MethodInvocation invocation) {
		return null;
	}

	/**
	 * Whether a duplicate of a running call waits on the calling thread for the first call to end, instead of
	 * being refused (see {@link io.idempotent.core.GuardedCall#waitsWhileInProgress()}).
	 * @param method the guarded method
	 * @param invocation the call
	 * @return true to wait
	 */
	default boolean waitsWhileInProgress(IdempotentMethod method, MethodInvocation invocation) {
		return false;
	}

	/**
	 * Hears that a call was refused because the first call for its key is still running.
	 * @param method the guarded method
	 * @param invocation the call
	 */
	default void refusedInProgress(IdempotentMethod method, MethodInvocation invocation) {
	}

}
