package io.idempotent.key;

import java.lang.reflect.Method;
import java.lang.reflect.Type;

import org.springframework.expression.Expression;

import io.idempotent.core.IdempotentOperation;

/**
 * Everything about one {@code @Idempotent} method that is decided at start-up: its operation and settings,
 * its parsed key expression, the names of the variables its arguments are bound to, its return type, and the
 * transport adapter serving it.
 *
 * @param method the method
 * @param targetClass the bean's class
 * @param operation the operation (name, source, settings)
 * @param keyNamespace the namespace its keys live in
 * @param keyExpressionSource the expression as written, empty for the adapter's default key
 * @param keyExpression the parsed expression, null for the adapter's default key
 * @param argumentVariables for each argument, the variable names bound to it ({@code p0}, {@code a0}, its name)
 * @param returnType the generic return type resolved against the target class
 * @param returnsVoid whether the method returns nothing
 * @param adapter the transport adapter, or null for a plain method
 */
public record IdempotentMethod(Method method, Class<?> targetClass, IdempotentOperation operation, String keyNamespace,
		String keyExpressionSource, Expression keyExpression, String[][] argumentVariables, Type returnType,
		boolean returnsVoid, InvocationAdapter adapter) {

	/**
	 * The method as {@code SimpleClassName.method} for messages.
	 * @return the description
	 */
	public String describe() {
		return this.targetClass.getName() + "." + this.method.getName();
	}

}
