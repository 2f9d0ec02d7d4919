package io.idempotent.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.util.WebUtils;

/**
 * Ends the transaction of a guarded request in commit-with-transaction mode as soon as its response is complete
 * in the buffer, inside the {@code DispatcherServlet}: after the handler, the message converters, view
 * rendering and exception resolution, and before any other interceptor's {@code afterCompletion} (registered
 * last, it is called first). That is before Spring's open-session-in-view interceptor closes the
 * {@code EntityManager} the transaction runs on. The response is still buffered: {@link IdempotentResponseFilter}
 * sends it afterwards, and ends the transaction itself when this interceptor is not registered.
 */
public final class TransactionalResponseInterceptor implements HandlerInterceptor, Ordered {

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) throws Exception {
		Object attribute = request.getAttribute(ResponseRecorder.ATTRIBUTE);
		if (!(attribute instanceof ResponseRecorder recorder) || !recorder.inTransaction()) {
			return;
		}
		CapturedResponse captured = WebUtils.getNativeResponse(response, CapturedResponse.class);
		if (captured == null) {
			return;
		}
		request.removeAttribute(ResponseRecorder.ATTRIBUTE);
		if (request.isAsyncStarted()) {
			recorder.asyncStarted(); // started by hand: the response is not complete, and never will be here
			return;
		}
		if (ex != null) {
			recorder.failed(); // on its way to the container's error handling: nothing is stored
			return;
		}
		try {
			recorder.finish(captured);
		}
		finally {
			recorder.unfinished(); // rolls back when finish threw; a no-op once it ended the transaction
		}
	}

}
