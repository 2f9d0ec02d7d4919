package io.idempotent.web;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.WebUtils;

/**
 * Buffers the requests and responses of {@code @Idempotent} controller methods so the body can be fingerprinted
 * (capped at {@code max-request-size}, 413 beyond) and the response stored and replayed byte for byte. Which
 * requests are guarded is decided by {@link GuardedRequestMatcher} from the guarded handlers' own mappings, so
 * other requests pass through untouched and pay next to nothing.
 *
 * <p>A claimed call is completed or released only after the last dispatch of its request: when the handler
 * starts async processing, the response is neither copied nor stored until the async dispatch has written it,
 * and a request whose async processing ends otherwise (timeout, error) releases its key.
 *
 * <p>In commit-with-transaction mode the controller's transaction is still open when the chain returns: it is
 * committed with the completion (or rolled back) here, before the buffered response is copied to the client.
 */
public final class IdempotentResponseFilter extends OncePerRequestFilter implements Ordered {

	/** Late in the chain, after security filters have set the principal. */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 10;

	private final SingletonSupplier<GuardedRequestMatcher> matcher;

	private final long maxRequestSize;

	/**
	 * Creates the filter.
	 * @param handlerMappings supplies the application's handler mappings (looked up at the first request)
	 * @param maxRequestSize the largest request body, in bytes, a guarded request may have
	 */
	public IdempotentResponseFilter(Supplier<List<HandlerMapping>> handlerMappings, long maxRequestSize) {
		this.matcher = SingletonSupplier.of(() -> GuardedRequestMatcher.of(handlerMappings.get()));
		this.maxRequestSize = maxRequestSize;
	}

	/**
	 * Creates the filter with a 1 MiB request limit.
	 * @param handlerMappings supplies the application's handler mappings (looked up at the first request)
	 */
	public IdempotentResponseFilter(Supplier<List<HandlerMapping>> handlerMappings) {
		this(handlerMappings, WebIdempotencySettings.DEFAULTS.maxRequestSize());
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false; // the async dispatch writes the response: finish the claim after it
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		CapturedResponse captured;
		HttpServletRequest guardedRequest = request;
		HttpServletResponse guardedResponse = response;
		if (isAsyncDispatch(request)) {
			captured = WebUtils.getNativeResponse(response, CapturedResponse.class);
		}
		else if (this.matcher.obtain().matches(request)) {
			if (request.getContentLengthLong() > this.maxRequestSize) {
				ProblemResponses.write(response, 413, "Content Too Large", "The request body is over the "
						+ this.maxRequestSize + " bytes a guarded request may have", null);
				response.flushBuffer(); // the client has its answer now, whatever the container does with the body
				return;
			}
			GuardedRequest guarded = new GuardedRequest(request, this.maxRequestSize);
			captured = new CapturedResponse(response, guarded);
			guardedRequest = guarded;
			guardedResponse = captured;
		}
		else {
			captured = null;
		}
		if (captured == null) {
			chain.doFilter(request, response);
			return;
		}
		try {
			chain.doFilter(guardedRequest, guardedResponse);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			ResponseRecorder recorder = take(request);
			if (recorder != null) {
				recorder.failed();
			}
			GuardedRequest guarded = WebUtils.getNativeRequest(guardedRequest, GuardedRequest.class);
			if (guarded == null || !guarded.overLimit() || captured.isCommitted()) {
				throw ex;
			}
			captured.tooLarge();
		}
		catch (Error ex) {
			// an Error ends the claim like any failure: never a key held until the lease runs out, or forever
			ResponseRecorder recorder = take(request);
			if (recorder != null) {
				recorder.failed();
			}
			throw ex;
		}
		if (isAsyncStarted(request)) {
			ResponseRecorder recorder = (ResponseRecorder) request.getAttribute(ResponseRecorder.ATTRIBUTE);
			if (recorder != null && recorder.inTransaction()) {
				// the transaction is bound to this thread, which leaves now: never complete outside it
				take(request).asyncStarted();
			}
			request.getAsyncContext().addListener(new ReleaseUnfinished(), request, response);
			return;
		}
		ResponseRecorder recorder = take(request);
		if (recorder != null) {
			try {
				recorder.finish(captured);
			}
			finally {
				recorder.unfinished(); // a no-op once finish completed or released the key; ends it if finish threw
			}
		}
		captured.copyBodyToResponse();
	}

	private static ResponseRecorder take(ServletRequest request) {
		ResponseRecorder recorder = (ResponseRecorder) request.getAttribute(ResponseRecorder.ATTRIBUTE);
		request.removeAttribute(ResponseRecorder.ATTRIBUTE);
		return recorder;
	}

	/**
	 * Releases the key of an async request that ended without its dispatch through this filter (timeout, error,
	 * a client gone), so the claim does not wait for its lease, or, with keep-alive, forever.
	 */
	private static final class ReleaseUnfinished implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			release(event);
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			release(event);
		}

		@Override
		public void onError(AsyncEvent event) {
			release(event);
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			event.getAsyncContext().addListener(this, event.getSuppliedRequest(), event.getSuppliedResponse());
		}

		private static void release(AsyncEvent event) {
			ResponseRecorder recorder = take(event.getSuppliedRequest());
			if (recorder != null) {
				recorder.failed();
			}
		}

	}

}
