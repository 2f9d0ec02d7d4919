package io.idempotent.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Whose key space a request's key belongs to, so one caller's key can never replay another caller's
 * response. Define a bean to scope by tenant or API client. Any scope string is safe: scope and key are joined
 * by {@link ScopedKeys}, whose encoding no key sent in another scope can forge.
 */
@FunctionalInterface
public interface IdempotencyScopeResolver {

	/**
	 * Scopes by the authenticated principal's name ({@code request.getUserPrincipal()}, which Spring Security
	 * fills); without one the scope is global. A principal whose name is empty has the empty scope, never the
	 * global one.
	 */
	IdempotencyScopeResolver PRINCIPAL = (request) -> (request.getUserPrincipal() != null)
			? request.getUserPrincipal().getName() : null;

	/**
	 * The scope of a request.
	 * @param request the request
	 * @return the scope, null for the global scope (the empty string is a scope of its own)
	 */
	String scope(HttpServletRequest request);

}
