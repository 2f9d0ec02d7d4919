package io.idempotent.web;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ContentCachingRequestWrapper;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.ServletRequestPathUtils;

import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Captures the response of requests to {@code @Idempotent} controller methods so it can be stored and replayed
 * byte for byte. Only requests whose handler is guarded are buffered (one handler lookup per request); others
 * pass through untouched. After the response is complete, a claimed call is completed with it, or released.
 */
public final class IdempotentResponseFilter extends OncePerRequestFilter implements Ordered {

	/** Late in the chain, after security filters have set the principal. */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 10;

	private final Supplier<List<HandlerMapping>> handlerMappings;

	private final Map<Method, Boolean> guarded = new ConcurrentHashMap<>();

	/**
	 * Creates the filter.
	 * @param handlerMappings supplies the application's handler mappings (looked up lazily)
	 */
	public IdempotentResponseFilter(Supplier<List<HandlerMapping>> handlerMappings) {
		this.handlerMappings = handlerMappings;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!isGuarded(request)) {
			chain.doFilter(request, response);
			return;
		}
		ContentCachingRequestWrapper cachingRequest = new ContentCachingRequestWrapper(request, 0);
		ContentCachingResponseWrapper cachingResponse = new ContentCachingResponseWrapper(response);
		try {
			chain.doFilter(cachingRequest, cachingResponse);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			PendingResponse pending = take(cachingRequest);
			if (pending != null) {
				pending.failed();
			}
			throw ex;
		}
		PendingResponse pending = take(cachingRequest);
		if (pending != null) {
			pending.finish(cachingResponse);
		}
		cachingResponse.copyBodyToResponse();
	}

	private static PendingResponse take(HttpServletRequest request) {
		PendingResponse pending = (PendingResponse) request.getAttribute(WebInvocationAdapter.PENDING_ATTRIBUTE);
		request.removeAttribute(WebInvocationAdapter.PENDING_ATTRIBUTE);
		return pending;
	}

	private boolean isGuarded(HttpServletRequest request) {
		List<String> before = Collections.list(request.getAttributeNames());
		boolean parsed = ServletRequestPathUtils.hasParsedRequestPath(request);
		try {
			if (!parsed) {
				ServletRequestPathUtils.parseAndCache(request);
			}
			for (HandlerMapping mapping : this.handlerMappings.get()) {
				HandlerExecutionChain chain = mapping.getHandler(request);
				if (chain != null) {
					return (chain.getHandler() instanceof HandlerMethod handler) && isGuarded(handler);
				}
			}
			return false;
		}
		catch (Exception ex) {
			return false;
		}
		finally {
			// leave the request as it came: the dispatcher does its own lookup
			for (String name : new ArrayList<>(Collections.list(request.getAttributeNames()))) {
				if (!before.contains(name)) {
					request.removeAttribute(name);
				}
			}
			if (!parsed) {
				ServletRequestPathUtils.clearParsedRequestPath(request);
			}
		}
	}

	private boolean isGuarded(HandlerMethod handler) {
		return this.guarded.computeIfAbsent(handler.getMethod(),
				(method) -> IdempotentMethodRegistry.findAnnotation(method, handler.getBeanType()) != null);
	}

}
