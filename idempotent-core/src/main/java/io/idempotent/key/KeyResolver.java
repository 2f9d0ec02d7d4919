package io.idempotent.key;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.spel.support.StandardEvaluationContext;

import io.idempotent.core.IdempotencyKeyException;

/**
 * Evaluates a call's business key from its method's pre-parsed expression, with the arguments bound by name
 * and by position and the adapter's variables added. A key that is null, blank or cannot be evaluated is
 * rejected with {@link IdempotencyKeyException} naming the method and expression, never the arguments.
 */
public final class KeyResolver {

	/**
	 * The raw business key of a call.
	 * @param method the guarded method
	 * @param invocation the call
	 * @return the key, neither null nor blank
	 */
	public String resolve(IdempotentMethod method, MethodInvocation invocation) {
		if (method.keyExpression() == null) {
			return require(method.adapter().defaultKey(invocation), method,
					method.adapter().defaultKeyDescription());
		}
		StandardEvaluationContext context = new StandardEvaluationContext();
		Object[] arguments = invocation.getArguments();
		String[][] variables = method.argumentVariables();
		for (int i = 0; i < arguments.length && i < variables.length; i++) {
			for (String variable : variables[i]) {
				context.setVariable(variable, arguments[i]);
			}
		}
		if (method.adapter() != null) {
			method.adapter().contributeVariables(context, invocation);
		}
		Object value;
		try {
			value = method.keyExpression().getValue(context);
		}
		catch (EvaluationException ex) {
			throw new IdempotencyKeyException("Key expression '" + method.keyExpressionSource() + "' of @Idempotent "
					+ method.describe() + " could not be evaluated: " + ex.getMessage());
		}
		return require((value != null) ? value.toString() : null, method,
				"key expression '" + method.keyExpressionSource() + "'");
	}

	private static String require(String key, IdempotentMethod method, String what) {
		if (key == null || key.isBlank()) {
			throw new IdempotencyKeyException("The " + what + " of @Idempotent " + method.describe() + " gave "
					+ ((key == null) ? "null" : "a blank key") + "; the call was rejected and nothing was stored");
		}
		return key;
	}

}
