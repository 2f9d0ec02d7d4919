package io.idempotent.web;

import java.util.ArrayList;
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
import org.springframework.web.util.pattern.PathPatternParser;

import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Tells, before Spring MVC dispatches a request, whether it may reach a guarded handler, from the guarded
 * handlers' own {@link RequestMappingInfo}s (taken once from the application's request mappings):
 * <ol>
 * <li>an HTTP method no guarded mapping accepts: no (one set lookup);</li>
 * <li>a path holding none of the guarded patterns' literal prefixes ({@code /payments} of {@code /payments/**} or
 * {@code /payments/{id}}): no (a few {@code String.contains});</li>
 * <li>else the guarded mappings' method and path conditions decide, never every handler of the application.</li>
 * </ol>
 * It may answer yes for a request that a more specific unguarded mapping then wins (the request is buffered
 * for nothing, harmlessly), never no for a request that reaches a guarded handler: paths it cannot judge by
 * their literal prefix (percent-encoded, with path parameters, or case-insensitive matching) go to step 3, and
 * mappings on the legacy {@code AntPathMatcher} are taken as matching once steps 1 and 2 pass.
 */
final class GuardedRequestMatcher {

	private final List<RequestMappingInfo> guarded;

	private final Set<String> methods;

	private final boolean anyMethod;

	private final List<String> literals;

	private final boolean legacyPatterns;

	private GuardedRequestMatcher(List<RequestMappingInfo> guarded, Set<String> methods, boolean anyMethod,
			List<String> literals) {
		this.guarded = guarded;
		this.methods = methods;
		this.anyMethod = anyMethod;
		this.literals = literals;
		this.legacyPatterns = guarded.stream().anyMatch((info) -> info.getPatternsCondition() != null);
	}

	static GuardedRequestMatcher of(List<HandlerMapping> mappings) {
		List<RequestMappingInfo> guarded = new ArrayList<>();
		Set<String> methods = new HashSet<>();
		Set<String> literals = new HashSet<>();
		boolean anyMethod = false;
		boolean anyPath = false;
		for (HandlerMapping mapping : mappings) {
			if (!(mapping instanceof AbstractHandlerMethodMapping<?> methodMapping)) {
				continue;
			}
			PathPatternParser parser = methodMapping.getPatternParser();
			boolean caseInsensitive = parser != null && !parser.isCaseSensitive();
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
				if (accepted.contains(RequestMethod.GET)) {
					methods.add("HEAD"); // Spring MVC serves HEAD with GET handlers
				}
				Set<String> patterns = info.getPatternValues();
				anyPath |= caseInsensitive || patterns.isEmpty();
				for (String pattern : patterns) {
					String literal = literalPrefix(pattern);
					anyPath |= literal.length() <= 1;
					literals.add(literal);
				}
			}
		}
		return new GuardedRequestMatcher(List.copyOf(guarded), Set.copyOf(methods), anyMethod,
				anyPath ? null : List.copyOf(literals));
	}

	private static String literalPrefix(String pattern) {
		int end = 0;
		while (end < pattern.length() && "{*?".indexOf(pattern.charAt(end)) < 0) {
			end++;
		}
		String literal = pattern.substring(0, end);
		if (end < pattern.length() && literal.endsWith("/")) {
			// "/files/**" and "/files/{*path}" also match "/files": the slash before a wildcard is not literal
			literal = literal.substring(0, literal.length() - 1);
		}
		return literal;
	}

	boolean matches(HttpServletRequest request) {
		if (this.guarded.isEmpty() || (!this.anyMethod && !this.methods.contains(request.getMethod()))) {
			return false;
		}
		String uri = request.getRequestURI();
		if (this.literals != null && uri.indexOf('%') < 0 && uri.indexOf(';') < 0 && !holdsALiteral(uri)) {
			return false;
		}
		if (this.legacyPatterns) {
			return true; // AntPathMatcher mappings resolve paths with their own UrlPathHelper: never judge them
		}
		boolean parsed = ServletRequestPathUtils.hasParsedRequestPath(request);
		try {
			if (!parsed) {
				ServletRequestPathUtils.parseAndCache(request);
			}
			for (RequestMappingInfo info : this.guarded) {
				// method and path only: other conditions could only narrow the match
				if (info.getMethodsCondition().getMatchingCondition(request) != null
						&& info.getActivePatternsCondition().getMatchingCondition(request) != null) {
					return true;
				}
			}
			return false;
		}
		finally {
			// leave the request as it came: the dispatcher does its own lookup
			if (!parsed) {
				ServletRequestPathUtils.clearParsedRequestPath(request);
			}
		}
	}

	private boolean holdsALiteral(String uri) {
		for (String literal : this.literals) {
			if (uri.contains(literal)) {
				return true;
			}
		}
		return false;
	}

}
