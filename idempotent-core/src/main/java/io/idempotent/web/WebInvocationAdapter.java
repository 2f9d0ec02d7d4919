package io.idempotent.web;

import java.io.IOException;
import java.lang.reflect.Method;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.WebUtils;

import io.idempotent.aop.GuardingInvocationAdapter;
import io.idempotent.core.Attempt;
import io.idempotent.core.IdempotencyConfigurationException;
import io.idempotent.core.IdempotencyContext;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencyKeyException;
import io.idempotent.core.TransactionalAttempt;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.KeyResolver;
import io.idempotent.store.IdempotencyStoreException;

/**
 * Serves {@code @Idempotent} Spring MVC controller methods, following the IETF Idempotency-Key draft, on the
 * engine's one algorithm ({@link IdempotencyEngine#begin(io.idempotent.core.IdempotentOperation, IdempotencyKey,
 * byte[])} and its {@link Attempt}):
 *
 * <ul>
 * <li>the key is the {@code Idempotency-Key} header (an sf-string, quoted or bare; exactly one), or a SpEL
 * expression over the arguments and {@code #request}; a missing (when required) or malformed key is a 400
 * problem, and nothing is stored;</li>
 * <li>keys are scoped per caller ({@link IdempotencyScopeResolver}, {@link ScopedKeys});</li>
 * <li>the request fingerprint ({@link RequestFingerprint}) is stored with the claim; a retry after completion
 * gets the stored response replayed byte for byte with {@code Idempotent-Replayed: true}; a retry while the
 * first runs gets 409 with {@code Retry-After}; the same key with a different request gets 422 (at once, when
 * the store keeps fingerprints with claims); a store outage gets 503 (fail-closed);</li>
 * <li>the first response is completed or released by {@link IdempotentResponseFilter} once written, on its
 * final status ({@link StatusPolicy}).</li>
 * <li>in commit-with-transaction mode the controller runs in a transaction on the store's database, begun
 * after the claim committed and ended once its response is buffered: committed with the completion that holds
 * the response when its status is stored, else rolled back with the key released ({@link ResponseRecorder}).
 * Asynchronous return types are refused at start-up in that mode.</li>
 * <li>a guarded controller method called while a guarded call of the same request runs (one controller calling
 * another, a forward) runs as part of that call, under its claim: one request, one claim, one response.</li>
 * </ul>
 * The guard's own answers end the handler call with an exception that {@link IdempotentExceptionResolver}
 * completes, so they work for every return type.
 */
public final class WebInvocationAdapter implements GuardingInvocationAdapter {

	/** The source tag of HTTP calls. */
	public static final String SOURCE = "http";

	/** The header added to replayed responses. */
	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private final WebIdempotencySettings settings;

	private final Supplier<IdempotencyScopeResolver> scopes;

	private final Function<String, StatusPolicy> storedStatuses;

	private final FingerprintExpressions fingerprints;

	private volatile String originalTraceIdHeader;

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
		this(settings, scopes, (operation) -> replaysClientErrors.test(operation) ? settings.storedStatuses()
				: settings.storedStatuses().withoutClientErrors(), Map.of());
	}

	/**
	 * Creates the adapter with per-operation stored statuses and fingerprint expressions.
	 * @param settings header, replay and size settings
	 * @param scopes supplies the scope resolver
	 * @param storedStatuses by operation name, the final statuses stored and replayed (others release the key)
	 * @param fingerprintExpressions by operation name, a SpEL expression over the handler's arguments (and
	 * {@code #request}) whose value replaces the body in the request fingerprint
	 * @throws IdempotencyConfigurationException when an expression does not parse
	 */
	public WebInvocationAdapter(WebIdempotencySettings settings, Supplier<IdempotencyScopeResolver> scopes,
			Function<String, StatusPolicy> storedStatuses, Map<String, String> fingerprintExpressions) {
		this.settings = settings;
		this.scopes = scopes;
		this.storedStatuses = storedStatuses;
		this.fingerprints = new FingerprintExpressions(fingerprintExpressions);
	}

	/**
	 * Names a response header that carries, on a replay, the trace id of the request that did the work (when it
	 * was recorded with one: tracing on). Off (null) by default: trace ids of other callers' requests are
	 * internal.
	 * @param headerName the header name, or null for none
	 */
	public void setOriginalTraceIdHeader(String headerName) {
		this.originalTraceIdHeader = (headerName != null && !headerName.isBlank()) ? headerName : null;
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
		if (request.getAttribute(ResponseRecorder.ATTRIBUTE) != null) {
			// a guarded controller called (directly, or by a forward) while this request's guarded call runs: the
			// request already has its claim, whose response is this request's response; a second recorder would
			// replace the first, leaving its claim (and, committing with its transaction, the transaction bound
			// to this thread) never ended
			return invocation.proceed();
		}
		String rawKey;
		if (method.keyExpression() == null) {
			IdempotencyKeyHeader.Parsed header = IdempotencyKeyHeader.parse(this.settings.headerName(),
					request.getHeaders(this.settings.headerName()));
			if (header.isMissing() && !this.settings.required()) {
				return invocation.proceed();
			}
			if (header.key() == null) {
				throw answer(response, 400, "Bad Request", header.isMissing()
						? "The " + this.settings.headerName() + " header is required" : header.problem(), null);
			}
			rawKey = header.key();
		}
		else {
			try {
				rawKey = keys.resolve(method, invocation);
			}
			catch (IdempotencyKeyException ex) {
				throw answer(response, 400, "Bad Request", "The idempotency key of this request is missing", null);
			}
		}
		if (WebUtils.getNativeResponse(response, CapturedResponse.class) == null) {
			throw new IllegalStateException("IdempotentResponseFilter is not installed, so the response of "
					+ method.describe() + " cannot be stored; register it (the auto-configuration does)");
		}
		IdempotencyKey key = IdempotencyKey.of(method.keyNamespace(),
				ScopedKeys.of(this.scopes.get().scope(request), rawKey));
		byte[] fingerprint;
		try {
			fingerprint = fingerprint(method, invocation, request);
		}
		catch (PayloadTooLargeException ex) {
			throw answer(response, 413, "Content Too Large", ex.getMessage(), null);
		}
		Attempt attempt;
		try {
			attempt = engine.begin(method.operation(), key, fingerprint);
		}
		catch (IdempotencyStoreException ex) {
			throw answer(response, 503, "Service Unavailable", "The idempotency store is unavailable; retry later",
					null);
		}
		switch (attempt.status()) {
			case UNGUARDED:
				return invocation.proceed();
			case IN_PROGRESS:
				if (attempt.fingerprint() != null && !MessageDigest.isEqual(attempt.fingerprint(), fingerprint)) {
					throw differentRequest(response);
				}
				throw answer(response, 409, "Conflict",
						"A request with this idempotency key is still being processed; retry later",
						IdempotencyEngine.inProgress(method.operation()).getRetryAfter());
			case COMPLETED:
				StoredResponse stored = StoredResponse.decode(attempt.storedResult());
				byte[] first = (attempt.fingerprint() != null) ? attempt.fingerprint() : stored.fingerprint();
				if (!MessageDigest.isEqual(first, fingerprint)) {
					throw differentRequest(response);
				}
				String traceHeader = this.originalTraceIdHeader;
				String originalTraceId = (traceHeader != null) ? attempt.originalTraceId() : null;
				throw new AnsweredException((out) -> {
					if (originalTraceId != null) {
						out.setHeader(traceHeader, originalTraceId);
					}
					replay(stored, out);
				});
			default:
				return runClaimed(method, invocation, attempt, fingerprint, request, engine);
		}
	}

	private Object runClaimed(IdempotentMethod method, MethodInvocation invocation, Attempt attempt,
			byte[] fingerprint, HttpServletRequest request, IdempotencyEngine engine) throws Throwable {
		String operation = method.operation().name();
		// commit-with-transaction: the controller's writes wait, uncommitted, for the response (ResponseRecorder)
		TransactionalAttempt transaction = method.operation().settings().commitWithTransaction()
				? engine.beginTransaction(attempt) : null;
		ResponseRecorder recorder = new ResponseRecorder(attempt, transaction, fingerprint,
				this.storedStatuses.apply(operation), this.settings.replayedHeaders(), this.settings.maxResponseSize(),
				engine.store().maxResultSize());
		request.setAttribute(ResponseRecorder.ATTRIBUTE, recorder);
		long start = System.nanoTime();
		try (IdempotencyContext.Scope scope = IdempotencyContext.bind(attempt.context())) {
			Object result = invocation.proceed();
			attempt.executed(true, System.nanoTime() - start);
			return result;
		}
		catch (Throwable ex) {
			// not released here: an @ExceptionHandler may turn it into a response, whose status decides (in a
			// transaction: the work is rolled back, whatever the response)
			recorder.handlerThrew();
			attempt.executed(false, System.nanoTime() - start);
			throw ex;
		}
	}

	private byte[] fingerprint(IdempotentMethod method, MethodInvocation invocation, HttpServletRequest request)
			throws IOException {
		Expression expression = this.fingerprints.get(method.operation().name());
		if (expression != null) {
			return RequestFingerprint.ofValue(request, this.fingerprints.evaluate(expression, invocation, request));
		}
		return RequestFingerprint.ofBody(request);
	}

	private static AnsweredException differentRequest(HttpServletResponse response) {
		return answer(response, 422, "Unprocessable Content",
				"This idempotency key was already used for a different request", null);
	}

	private static AnsweredException answer(HttpServletResponse response, int status, String title, String detail,
			Duration retryAfter) {
		return new AnsweredException((out) -> ProblemResponses.write(out, status, title, detail, retryAfter));
	}

	private static void replay(StoredResponse stored, HttpServletResponse response) throws IOException {
		response.resetBuffer();
		response.setStatus(stored.status());
		for (Map.Entry<String, String> header : stored.headers()) {
			if (ReplayedHeaders.allowed(header.getKey())) {
				response.addHeader(header.getKey(), header.getValue());
			}
		}
		response.setHeader(REPLAYED_HEADER, "true");
		response.getOutputStream().write(stored.body());
	}

	private static ServletRequestAttributes currentAttributes() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		return (attributes instanceof ServletRequestAttributes servlet) ? servlet : null;
	}

}
