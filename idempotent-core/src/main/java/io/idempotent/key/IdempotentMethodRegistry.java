package io.idempotent.key;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import io.idempotent.annotation.Idempotent;
import io.idempotent.core.IdempotencyConfigurationException;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.core.IdempotentOperation;

/**
 * Knows every {@code @Idempotent} method: parses its key expression once (at start-up, when its bean is
 * created), resolves its settings, picks its transport adapter, and hands the result to each call from a
 * cache. A declaration that cannot work fails with {@link IdempotencyConfigurationException} naming the
 * class, the method and the expression.
 */
public final class IdempotentMethodRegistry {

	/** The source tag of methods no transport adapter serves. */
	public static final String METHOD_SOURCE = "method";

	private final IdempotencySettingsResolver settings;

	private final List<InvocationAdapter> adapters;

	private final SpelExpressionParser parser;

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Map<MethodClassKey, IdempotentMethod> methods = new ConcurrentHashMap<>();

	private final Map<String, NameOwner> names = new ConcurrentHashMap<>();

	/**
	 * Creates a registry.
	 * @param settings resolves each operation's settings by name
	 * @param adapters the transport adapters, in order of preference
	 */
	public IdempotentMethodRegistry(IdempotencySettingsResolver settings, List<InvocationAdapter> adapters) {
		this.settings = settings;
		this.adapters = List.copyOf(adapters);
		this.parser = new SpelExpressionParser(
				new SpelParserConfiguration(SpelCompilerMode.MIXED, IdempotentMethodRegistry.class.getClassLoader()));
	}

	/**
	 * Registers every guarded method of a class, validating each.
	 * @param targetClass the bean's class
	 * @return how many guarded methods it has
	 * @throws IdempotencyConfigurationException when a declaration cannot work
	 */
	public int register(Class<?> targetClass) {
		List<Method> guarded = new ArrayList<>();
		ReflectionUtils.doWithMethods(targetClass, guarded::add,
				(method) -> !method.isBridge() && !method.isSynthetic() && method.getDeclaringClass() != Object.class
						&& findAnnotation(method, targetClass) != null);
		for (Method method : guarded) {
			get(method, targetClass);
		}
		return guarded.size();
	}

	/**
	 * The guarded method behind a call, built and validated on first use.
	 * @param method the invoked method
	 * @param targetClass the bean's class
	 * @return the guarded method
	 */
	public IdempotentMethod get(Method method, Class<?> targetClass) {
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		IdempotentMethod cached = this.methods.get(cacheKey);
		return (cached != null) ? cached : this.methods.computeIfAbsent(cacheKey, (k) -> build(method, targetClass));
	}

	/**
	 * The guarded methods registered so far, for the actuator endpoint.
	 * @return the methods
	 */
	public Collection<IdempotentMethod> methods() {
		return List.copyOf(this.methods.values());
	}

	/**
	 * Whether a method is guarded: annotated itself, or a public method of an annotated type.
	 * @param method the method
	 * @param targetClass the bean's class
	 * @return the annotation that applies, or null
	 */
	public static Idempotent findAnnotation(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(specific, Idempotent.class);
		if (onMethod != null) {
			return onMethod;
		}
		if (Modifier.isPublic(specific.getModifiers()) && !Modifier.isStatic(specific.getModifiers())
				&& specific.getDeclaringClass() != Object.class) {
			return AnnotatedElementUtils.findMergedAnnotation(targetClass, Idempotent.class);
		}
		return null;
	}

	private IdempotentMethod build(Method invoked, Class<?> targetClass) {
		Method method = AopUtils.getMostSpecificMethod(invoked, targetClass);
		Idempotent annotation = findAnnotation(method, targetClass);
		String where = targetClass.getName() + "." + method.getName();
		if (annotation == null) {
			throw new IdempotencyConfigurationException("No @Idempotent on " + where);
		}
		InvocationAdapter adapter = adapterFor(method, targetClass);
		if (adapter != null) {
			adapter.validate(method, targetClass);
		}
		String name = operationName(annotation, method, targetClass);
		String source = (adapter != null) ? adapter.source() : METHOD_SOURCE;
		claimName(name, explicitName(method, targetClass), method, where);
		IdempotencySettings resolved = this.settings.settingsFor(name);
		if (annotation.commitWithTransaction()) {
			resolved = resolved.withCommitWithTransaction(true);
		}
		IdempotentOperation operation = new IdempotentOperation(name, source, resolved);
		if (adapter != null) {
			adapter.validateOperation(operation, method, targetClass);
		}
		String namespace = (adapter != null) ? adapter.keyNamespace(name, method, targetClass) : name;
		String expressionSource = annotation.key().trim();
		Expression expression = parse(expressionSource, adapter, where);
		ResolvableType returnType = ResolvableType.forMethodReturnType(method, targetClass);
		rejectAsync(method, returnType.resolve(Object.class), where);
		boolean returnsVoid = method.getReturnType() == void.class || method.getReturnType() == Void.class;
		Type type = returnType.getType();
		return new IdempotentMethod(method, targetClass, operation, namespace, expressionSource, expression,
				argumentVariables(method), type, returnsVoid, adapter);
	}

	private InvocationAdapter adapterFor(Method method, Class<?> targetClass) {
		for (InvocationAdapter adapter : this.adapters) {
			if (adapter.supports(method, targetClass)) {
				return adapter;
			}
		}
		return null;
	}

	private static String operationName(Idempotent annotation, Method method, Class<?> targetClass) {
		Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(method, Idempotent.class);
		if (onMethod != null && StringUtils.hasText(onMethod.name())) {
			return onMethod.name().trim();
		}
		if (onMethod == null && StringUtils.hasText(annotation.name())) {
			return annotation.name().trim() + "." + method.getName();
		}
		return targetClass.getSimpleName() + "." + method.getName();
	}

	private Expression parse(String source, InvocationAdapter adapter, String where) {
		if (source.isEmpty()) {
			if (adapter == null || !adapter.providesDefaultKey()) {
				throw new IdempotencyConfigurationException("@Idempotent on " + where + " has no key expression and no "
						+ "transport gives it a default key; set one, for example @Idempotent(key = \"#order.id\")");
			}
			return null;
		}
		try {
			return this.parser.parseExpression(source);
		}
		catch (ParseException ex) {
			throw new IdempotencyConfigurationException("Invalid key expression '" + source + "' in @Idempotent on "
					+ where + ": " + ex.getMessage());
		}
	}

	private static void rejectAsync(Method method, Class<?> returnType, String where) {
		boolean async = Future.class.isAssignableFrom(returnType) || CompletionStage.class.isAssignableFrom(returnType)
				|| ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType) != null
				|| isPublisher(returnType) || isSuspending(method);
		if (async) {
			throw new IdempotencyConfigurationException("@Idempotent on " + where + " returns "
					+ (isSuspending(method) ? "from a Kotlin suspend function" : returnType.getName())
					+ ", an asynchronous type whose work finishes after the call returns; "
					+ "guard the synchronous method that does the work instead");
		}
	}

	private static boolean isSuspending(Method method) {
		Class<?>[] parameters = method.getParameterTypes();
		return parameters.length > 0
				&& parameters[parameters.length - 1].getName().equals("kotlin.coroutines.Continuation");
	}

	private static boolean isPublisher(Class<?> type) {
		try {
			Class<?> publisher = ClassUtils.forName("org.reactivestreams.Publisher", type.getClassLoader());
			return publisher.isAssignableFrom(type);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	private void claimName(String name, boolean explicit, Method method, String where) {
		NameOwner owner = this.names.putIfAbsent(name, new NameOwner(method, explicit, where));
		if (owner != null && !owner.method.equals(method) && !(owner.explicit && explicit)) {
			throw new IdempotencyConfigurationException("@Idempotent on " + where + " and on " + owner.where
					+ " share the operation name '" + name + "', so their keys would share one namespace; give them "
					+ "different names, or the same explicit name on both if they guard one operation on purpose");
		}
	}

	private static boolean explicitName(Method method, Class<?> targetClass) {
		Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(method, Idempotent.class);
		if (onMethod != null) {
			return StringUtils.hasText(onMethod.name());
		}
		Idempotent onType = AnnotatedElementUtils.findMergedAnnotation(targetClass, Idempotent.class);
		return onType != null && StringUtils.hasText(onType.name());
	}

	private record NameOwner(Method method, boolean explicit, String where) {
	}

	private String[][] argumentVariables(Method method) {
		String[] names = this.parameterNames.getParameterNames(method);
		String[][] variables = new String[method.getParameterCount()][];
		for (int i = 0; i < variables.length; i++) {
			variables[i] = (names != null) ? new String[] { "p" + i, "a" + i, names[i] }
					: new String[] { "p" + i, "a" + i };
		}
		return variables;
	}

}
