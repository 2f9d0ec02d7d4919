package io.idempotent.web;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Completes requests the idempotency guard answered itself (a replay, or one of its refusals): Spring MVC
 * handles them as done, with no view to render and no return value to write, whatever the handler's return
 * type. Ordered first, so an application's catch-all {@code @ExceptionHandler} never sees the guard's signal.
 */
public final class IdempotentExceptionResolver implements HandlerExceptionResolver, Ordered {

	@Override
	public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (!(ex instanceof AnsweredException answered)) {
			return null;
		}
		try {
			answered.writeTo(response);
		}
		catch (IOException failed) {
			throw new UncheckedIOException(failed);
		}
		return new ModelAndView();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
