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
	 * fills); without one the scope is global.
	 */
	IdempotencyScopeResolver PRINCIPAL = (request) -> (request.getUserPrincipal() != null)
			? request.getUserPrincipal().getName() : "";

	/**
	 * The scope of a request.
	 * @param request the request
	 * @return the scope, empty for the global scope
	 */
	String scope(HttpServletRequest request);

}
