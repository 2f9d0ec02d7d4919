package io.idempotent.key;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.support.StandardEvaluationContext;

import io.idempotent.core.IdempotencyKeyException;

/**
 * Evaluates a call's business key from its method's pre-parsed expression, with the arguments bound by name
 * and by position and the adapter's variables added. A key that is null, blank or cannot be evaluated is
 * rejected with {@link IdempotencyKeyException} naming the method and expression, never the arguments.
 */
public final class KeyResolver {

	private static final int MAX_CACHED_EXPRESSIONS = 4096;

	/** By expression identity: the argument it names alone, or -1. */
	private final Map<Expression, Integer> directArguments = new ConcurrentHashMap<>();

	/**
	 * The raw business key of a call.
	 * @param method the guarded method
	 * @param invocation the call
	 * @return the key, neither null nor blank
	 */
	public String resolve(IdempotentMethod method, MethodInvocation invocation) {
		if (method.keyExpression() == null) {
			return require(method.adapter().defaultKey(invocation), method, false);
		}
		Object[] arguments = invocation.getArguments();
		if (method.adapter() == null) {
			int argument = directArgument(method);
			if (argument >= 0) {
				Object value = arguments[argument];
				return require((value != null) ? value.toString() : null, method, true);
			}
		}
		StandardEvaluationContext context = new StandardEvaluationContext();
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
		return require((value != null) ? value.toString() : null, method, true);
	}

	/**
	 * The argument a key expression that is just one argument variable ({@code #id}, {@code #p0}, {@code #a0})
	 * names, found once per expression: such a key is that argument, as SpEL would evaluate it, without an
	 * evaluation context per call. -1 for any other expression.
	 */
	private int directArgument(IdempotentMethod method) {
		Expression expression = method.keyExpression();
		Integer known = this.directArguments.get(expression);
		if (known == null) {
			known = findDirectArgument(expression, method.argumentVariables());
			if (this.directArguments.size() < MAX_CACHED_EXPRESSIONS) {
				this.directArguments.put(expression, known);
			}
		}
		return known;
	}

	private static int findDirectArgument(Expression expression, String[][] variables) {
		if (!(expression instanceof SpelExpression spel) || !(spel.getAST() instanceof VariableReference reference)) {
			return -1;
		}
		String name = reference.toStringAST().substring(1);
		if (name.equals("root") || name.equals("this")) {
			return -1;
		}
		// the variable a later argument binds wins, as in the evaluation context
		for (int i = variables.length - 1; i >= 0; i--) {
			for (String variable : variables[i]) {
				if (variable.equals(name)) {
					return i;
				}
			}
		}
		return -1;
	}

	/**
	 * The key, or the rejection naming where it came from: its key expression, or the adapter's default key. The
	 * description is built only for a rejection, never per call.
	 */
	private static String require(String key, IdempotentMethod method, boolean fromExpression) {
		if (key == null || key.isBlank()) {
			String what = fromExpression ? "key expression '" + method.keyExpressionSource() + "'"
					: method.adapter().defaultKeyDescription();
			throw new IdempotencyKeyException("The " + what + " of @Idempotent " + method.describe() + " gave "
					+ ((key == null) ? "null" : "a blank key") + "; the call was rejected and nothing was stored");
		}
		return key;
	}

}
