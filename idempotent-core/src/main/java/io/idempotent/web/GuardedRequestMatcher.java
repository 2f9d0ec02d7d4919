package io.idempotent.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.handler.AbstractHandlerMethodMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.UrlPathHelper;

import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Tells, before Spring MVC dispatches a request, whether it may reach a guarded handler, from the guarded
 * handlers' own {@link RequestMappingInfo}s (taken once from the application's request mappings). A request
 * whose HTTP method no guarded mapping accepts costs one set lookup; others are matched only against the
 * guarded mappings, never against every handler. A request that matches is buffered even when a more specific
 * unguarded mapping wins the dispatch: harmless, and never the other way round.
 */
final class GuardedRequestMatcher {

	private final List<RequestMappingInfo> guarded;

	private final Set<String> methods;

	private final boolean anyMethod;

	private final boolean legacyPatterns;

	private GuardedRequestMatcher(List<RequestMappingInfo> guarded, Set<String> methods, boolean anyMethod) {
		this.guarded = guarded;
		this.methods = methods;
		this.anyMethod = anyMethod;
		this.legacyPatterns = guarded.stream().anyMatch((info) -> info.getPatternsCondition() != null);
	}

	@SuppressWarnings("unchecked")
	static GuardedRequestMatcher of(List<HandlerMapping> mappings) {
		List<RequestMappingInfo> guarded = new ArrayList<>();
		Set<String> methods = new HashSet<>();
		boolean anyMethod = false;
		for (HandlerMapping mapping : mappings) {
			if (!(mapping instanceof AbstractHandlerMethodMapping<?> methodMapping)) {
				continue;
			}
			for (Map.Entry<?, HandlerMethod> entry : methodMapping.getHandlerMethods().entrySet()) {
				HandlerMethod handler = entry.getValue();
				if (!(entry.getKey() instanceof RequestMappingInfo info)
						|| IdempotentMethodRegistry.findAnnotation(handler.getMethod(), handler.getBeanType()) == null) {
					continue;
				}
				guarded.add(info);
				Set<RequestMethod> accepted = info.getMethodsCondition().getMethods();
				anyMethod |= accepted.isEmpty();
				accepted.forEach((method) -> methods.add(method.name()));
			}
		}
		return new GuardedRequestMatcher(List.copyOf(guarded), Set.copyOf(methods), anyMethod);
	}

	boolean isEmpty() {
		return this.guarded.isEmpty();
	}

	boolean matches(HttpServletRequest request) {
		if (this.guarded.isEmpty() || (!this.anyMethod && !this.methods.contains(request.getMethod()))) {
			return false;
		}
		Set<String> before = new HashSet<>(Collections.list(request.getAttributeNames()));
		boolean parsed = ServletRequestPathUtils.hasParsedRequestPath(request);
		try {
			if (!parsed) {
				ServletRequestPathUtils.parseAndCache(request);
			}
			if (this.legacyPatterns) {
				UrlPathHelper.defaultInstance.resolveAndCacheLookupPath(request);
			}
			for (RequestMappingInfo info : this.guarded) {
				if (info.getMatchingCondition(request) != null) {
					return true;
				}
			}
			return false;
		}
		finally {
			// leave the request as it came: the dispatcher does its own lookup
			for (String name : Collections.list(request.getAttributeNames())) {
				if (!before.contains(name)) {
					request.removeAttribute(name);
				}
			}
			if (!parsed) {
				ServletRequestPathUtils.clearParsedRequestPath(request);
			}
		}
	}

}
