package io.idempotent.web;

import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.EvaluationContext;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.WebUtils;

import io.idempotent.aop.GuardingInvocationAdapter;
import io.idempotent.core.Attempt;
import io.idempotent.core.IdempotencyConfigurationException;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyKey;
import io.idempotent.core.IdempotencyKeyException;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.KeyResolver;
import io.idempotent.store.IdempotencyStoreException;

/**
 * Serves {@code @Idempotent} Spring MVC controller methods, following the IETF Idempotency-Key draft:
 *
 * <ul>
 * <li>the key is the {@code Idempotency-Key} header, or a SpEL expression over the arguments and
 * {@code #request}; a missing (when required) or malformed key is a 400 problem, and nothing is stored;</li>
 * <li>keys are scoped per caller ({@link IdempotencyScopeResolver});</li>
 * <li>a retry after completion gets the stored response replayed byte for byte with
 * {@code Idempotent-Replayed: true}; a retry while the first runs gets 409 with {@code Retry-After}; the same
 * key with a different request (method, path, body) gets 422; a store outage gets 503 (fail-closed);</li>
 * <li>the first response is stored by {@link IdempotentResponseFilter} once written: 2xx and (by default)
 * 4xx are stored; an exception or a 5xx releases the key so the client can retry.</li>
 * </ul>
 */
public final class WebInvocationAdapter implements GuardingInvocationAdapter {

	/** The source tag of HTTP calls. */
	public static final String SOURCE = "http";

	/** The header added to replayed responses. */
	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	static final String PENDING_ATTRIBUTE = WebInvocationAdapter.class.getName() + ".pending";

	private final WebIdempotencySettings settings;

	private final Supplier<IdempotencyScopeResolver> scopes;

	private final Predicate<String> replaysClientErrors;

	/**
	 * Creates the adapter.
	 * @param settings header, replay and size settings
	 * @param scopes supplies the scope resolver
	 */
	public WebInvocationAdapter(WebIdempotencySettings settings, Supplier<IdempotencyScopeResolver> scopes) {
		this(settings, scopes, (operation) -> settings.replayClientErrors());
	}

	/**
	 * Creates the adapter with a per-operation choice of whether 4xx responses are stored and replayed.
	 * @param settings header, replay and size settings
	 * @param scopes supplies the scope resolver
	 * @param replaysClientErrors by operation name, whether its 4xx responses are stored and replayed
	 */
	public WebInvocationAdapter(WebIdempotencySettings settings, Supplier<IdempotencyScopeResolver> scopes,
			Predicate<String> replaysClientErrors) {
		this.settings = settings;
		this.scopes = scopes;
		this.replaysClientErrors = replaysClientErrors;
	}

	/**
	 * The settings in force.
	 * @return the settings
	 */
	public WebIdempotencySettings settings() {
		return this.settings;
	}

	@Override
	public boolean supports(Method method, Class<?> targetClass) {
		return AnnotatedElementUtils.hasAnnotation(targetClass, Controller.class)
				&& AnnotatedElementUtils.hasAnnotation(method, RequestMapping.class);
	}

	@Override
	public void validate(Method method, Class<?> targetClass) {
		ResolvableType returnType = ResolvableType.forMethodReturnType(method, targetClass);
		Class<?> raw = returnType.resolve(Object.class);
		if (raw == org.springframework.http.ResponseEntity.class || raw == org.springframework.http.HttpEntity.class) {
			raw = returnType.getGeneric(0).resolve(Object.class);
		}
		if (ResponseBodyEmitter.class.isAssignableFrom(raw) || StreamingResponseBody.class.isAssignableFrom(raw)
				|| DeferredResult.class.isAssignableFrom(raw) || Callable.class.isAssignableFrom(raw)
				|| WebAsyncTask.class.isAssignableFrom(raw)
				|| org.springframework.core.io.Resource.class.isAssignableFrom(raw)) {
			throw new IdempotencyConfigurationException("@Idempotent on " + targetClass.getName() + "." + method.getName()
					+ " returns " + raw.getName() + ", a streaming or asynchronous response that cannot be stored and "
					+ "replayed; return ResponseEntity, a body object, String or void");
		}
	}

	@Override
	public String source() {
		return SOURCE;
	}

	@Override
	public boolean providesDefaultKey() {
		return true;
	}

	@Override
	public String defaultKeyDescription() {
		return this.settings.headerName() + " header";
	}

	@Override
	public void contributeVariables(EvaluationContext context, MethodInvocation invocation) {
		ServletRequestAttributes attributes = currentAttributes();
		if (attributes != null && context.lookupVariable("request") == null) {
			context.setVariable("request", attributes.getRequest());
		}
	}

	@Override
	public Object invoke(IdempotentMethod method, MethodInvocation invocation, IdempotencyEngine engine,
			KeyResolver keys) throws Throwable {
		ServletRequestAttributes attributes = currentAttributes();
		if (attributes == null || attributes.getResponse() == null) {
			throw new IllegalStateException("@Idempotent controller method " + method.describe()
					+ " was called outside an HTTP request; call it through Spring MVC");
		}
		HttpServletRequest request = attributes.getRequest();
		HttpServletResponse response = attributes.getResponse();
		String rawKey;
		if (method.keyExpression() == null) {
			String header = request.getHeader(this.settings.headerName());
			if (header == null && !this.settings.required()) {
				return invocation.proceed();
			}
			String problem = (header == null) ? "The " + this.settings.headerName() + " header is required"
					: malformed(header);
			if (problem != null) {
				ProblemResponses.write(response, 400, "Bad Request", problem, null);
				return null;
			}
			rawKey = header;
		}
		else {
			try {
				rawKey = keys.resolve(method, invocation);
			}
			catch (IdempotencyKeyException ex) {
				ProblemResponses.write(response, 400, "Bad Request", "The idempotency key of this request is missing",
						null);
				return null;
			}
		}
		IdempotencyKey key = IdempotencyKey.of(method.keyNamespace(), scoped(request, rawKey));
		String fingerprint = RequestFingerprint.of(request);
		Attempt attempt;
		try {
			attempt = engine.begin(method.operation(), key);
		}
		catch (IdempotencyStoreException ex) {
			ProblemResponses.write(response, 503, "Service Unavailable",
					"The idempotency store is unavailable; retry later", null);
			return null;
		}
		switch (attempt.status()) {
			case UNGUARDED:
				return invocation.proceed();
			case IN_PROGRESS:
				ProblemResponses.write(response, 409, "Conflict",
						"A request with this idempotency key is still being processed; retry later",
						IdempotencyEngine.inProgress(method.operation()).getRetryAfter());
				return null;
			case COMPLETED:
				replay(StoredResponse.decode(attempt.storedResult()), fingerprint, response);
				return null;
			default:
				return runClaimed(method, invocation, attempt, fingerprint, request, response);
		}
	}

	private Object runClaimed(IdempotentMethod method, MethodInvocation invocation, Attempt attempt, String fingerprint,
			HttpServletRequest request, HttpServletResponse response) throws Throwable {
		if (WebUtils.getNativeResponse(response, ContentCachingResponseWrapper.class) == null) {
			attempt.release();
			throw new IllegalStateException("IdempotentResponseFilter is not installed, so the response of "
					+ method.describe() + " cannot be stored; register it (the auto-configuration does)");
		}
		boolean replayClientErrors = this.replaysClientErrors.test(method.operation().name());
		request.setAttribute(PENDING_ATTRIBUTE,
				new PendingResponse(attempt, fingerprint, this.settings, replayClientErrors));
		long start = System.nanoTime();
		try {
			Object result = invocation.proceed();
			attempt.executed(true, System.nanoTime() - start);
			return result;
		}
		catch (Throwable ex) {
			attempt.executed(false, System.nanoTime() - start);
			request.removeAttribute(PENDING_ATTRIBUTE);
			attempt.release();
			throw ex;
		}
	}

	private static void replay(StoredResponse stored, String fingerprint, HttpServletResponse response)
			throws java.io.IOException {
		if (!stored.fingerprint().equals(fingerprint)) {
			ProblemResponses.write(response, 422, "Unprocessable Content",
					"This idempotency key was already used for a different request", null);
			return;
		}
		response.resetBuffer();
		response.setStatus(stored.status());
		for (Map.Entry<String, String> header : stored.headers()) {
			response.addHeader(header.getKey(), header.getValue());
		}
		response.setHeader(REPLAYED_HEADER, "true");
		response.getOutputStream().write(stored.body());
	}

	private String scoped(HttpServletRequest request, String rawKey) {
		String scope = this.scopes.get().scope(request);
		if (scope == null || scope.isEmpty()) {
			return rawKey;
		}
		return URLEncoder.encode(scope, StandardCharsets.UTF_8) + "|" + rawKey;
	}

	static String malformed(String key) {
		if (key.isEmpty()) {
			return "The idempotency key is empty";
		}
		if (key.length() > WebIdempotencySettings.MAX_KEY_LENGTH) {
			return "The idempotency key is longer than " + WebIdempotencySettings.MAX_KEY_LENGTH + " characters";
		}
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c < 0x21 || c > 0x7e) {
				return "The idempotency key may hold only visible ASCII characters";
			}
		}
		return null;
	}

	private static ServletRequestAttributes currentAttributes() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		return (attributes instanceof ServletRequestAttributes servlet) ? servlet : null;
	}

}
