package io.idempotent.web;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

import io.idempotent.core.IdempotencyConfigurationException;

/**
 * Per operation, an optional SpEL expression over the handler's arguments (and {@code #request}) naming the
 * parts of a request that make it "the same request" ({@code #payment.orderId + '/' + #payment.amount}),
 * instead of the whole body. Parsed once, when the guard is created.
 */
final class FingerprintExpressions {

	private final Map<String, Expression> expressions = new ConcurrentHashMap<>();

	private final ParameterNameDiscoverer parameterNames = new CachedParameterNames(new DefaultParameterNameDiscoverer());

	FingerprintExpressions(Map<String, String> sources) {
		SpelExpressionParser parser = new SpelExpressionParser();
		sources.forEach((operation, source) -> {
			if (source != null && !source.isBlank()) {
				try {
					this.expressions.put(operation, parser.parseExpression(source));
				}
				catch (ParseException ex) {
					throw new IdempotencyConfigurationException("Invalid fingerprint expression '" + source
							+ "' for '" + operation + "' (idempotent.web.handlers.[" + operation
							+ "].fingerprint): " + ex.getMessage());
				}
			}
		});
	}

	Expression get(String operation) {
		return this.expressions.get(operation);
	}

	Object evaluate(Expression expression, MethodInvocation invocation, HttpServletRequest request) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(null, invocation.getMethod(),
				invocation.getArguments(), this.parameterNames);
		context.setVariable("request", request);
		return expression.getValue(context);
	}

	/**
	 * Parameter names found once per method: the evaluation context asks for them on every call that reads an
	 * argument, and the reflective lookup allocates each time.
	 */
	private static final class CachedParameterNames implements ParameterNameDiscoverer {

		private static final String[] NONE = new String[0];

		private final ParameterNameDiscoverer delegate;

		private final Map<Method, String[]> names = new ConcurrentHashMap<>();

		CachedParameterNames(ParameterNameDiscoverer delegate) {
			this.delegate = delegate;
		}

		@Override
		public String[] getParameterNames(Method method) {
			String[] found = this.names.computeIfAbsent(method, (m) -> {
				String[] discovered = this.delegate.getParameterNames(m);
				return (discovered != null) ? discovered : NONE;
			});
			return (found == NONE) ? null : found;
		}

		@Override
		public String[] getParameterNames(Constructor<?> ctor) {
			return this.delegate.getParameterNames(ctor);
		}

	}

}
