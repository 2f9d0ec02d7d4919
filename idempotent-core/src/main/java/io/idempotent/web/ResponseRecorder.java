package io.idempotent.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.idempotent.core.Attempt;
import io.idempotent.core.IdempotencyLeaseLostException;
import io.idempotent.core.TransactionalAttempt;

/**
 * Ends a claimed HTTP call once its response is complete ({@link IdempotentResponseFilter} calls it after the
 * last dispatch): completes the engine's {@link Attempt} with the response when its final status is stored
 * ({@link StatusPolicy}), else releases it. A response too large to store is answered, and stored, as a 500
 * problem that names the limit, identical for the first caller and every retry.
 *
 * <p>In commit-with-transaction mode ({@link TransactionalAttempt}) the controller's writes are still
 * uncommitted when the response is complete: a stored status commits them together with the completion that
 * holds the response, before the buffered response is sent; anything else (a status that is not stored, an
 * error sent, a controller that threw, a transaction marked rollback-only, a response too large to store)
 * rolls them back and releases the key, so a retry runs the controller again. The response too large to store
 * is then answered as a 500 problem that is not stored, and so is a success (below 400) whose transaction was
 * marked rollback-only: never a success answered for work that was rolled back.
 */
final class ResponseRecorder {

	private static final Logger logger = LoggerFactory.getLogger(ResponseRecorder.class);

	static final String ATTRIBUTE = ResponseRecorder.class.getName();

	private final Attempt attempt;

	private final byte[] fingerprint;

	private final StatusPolicy statuses;

	private final List<String> replayedHeaders;

	private final int maxBodySize;

	private final int maxStoredSize;

	private final TransactionalAttempt transaction;

	private volatile boolean handlerThrew;

	ResponseRecorder(Attempt attempt, byte[] fingerprint, StatusPolicy statuses, List<String> replayedHeaders,
			int maxBodySize, int maxStoredSize) {
		this(attempt, null, fingerprint, statuses, replayedHeaders, maxBodySize, maxStoredSize);
	}

	ResponseRecorder(Attempt attempt, TransactionalAttempt transaction, byte[] fingerprint, StatusPolicy statuses,
			List<String> replayedHeaders, int maxBodySize, int maxStoredSize) {
		this.attempt = attempt;
		this.transaction = transaction;
		this.fingerprint = fingerprint;
		this.statuses = statuses;
		this.replayedHeaders = replayedHeaders;
		this.maxBodySize = maxBodySize;
		this.maxStoredSize = maxStoredSize;
	}

	/** The call ended without a response (an exception reached the container): the key is released. */
	void failed() {
		if (this.transaction != null) {
			this.transaction.rollback();
			return;
		}
		this.attempt.release();
	}

	/**
	 * The controller started async processing in commit-with-transaction mode (by hand: async return types are
	 * refused at start-up): its transaction is bound to the request thread, which is leaving, so the work is
	 * rolled back and the key released; the async response is sent unguarded. Never completed outside it.
	 */
	void asyncStarted() {
		this.transaction.rollback();
		logger.warn("A guarded request in commit-with-transaction mode started async processing; its work was "
				+ "rolled back and its key released, and its async response is sent unguarded");
	}

	/** Whether the call runs in a transaction that commits with its completion. */
	boolean inTransaction() {
		return this.transaction != null;
	}

	/** The guarded controller method threw (its response may still come from an exception handler). */
	void handlerThrew() {
		this.handlerThrew = true;
	}

	/**
	 * Ends a claim that {@link #finish} did not end (it threw): the handler ran, so the key is completed without a
	 * stored response rather than released, and a retry gets an error instead of running the handler again.
	 * A no-op once the key was completed or released.
	 */
	void unfinished() {
		if (this.transaction != null) {
			this.transaction.rollback(); // nothing was committed: the retry runs
			return;
		}
		this.attempt.completeWithoutResult("the response could not be recorded");
	}

	void finish(CapturedResponse response) throws IOException {
		if (this.transaction != null) {
			finishInTransaction(response);
			return;
		}
		int status = response.getStatus();
		if (response.errorSent() || !this.statuses.stores(status)) {
			this.attempt.release();
			return;
		}
		byte[] body = response.getContentAsByteArray();
		byte[] encoded = (body.length <= this.maxBodySize) ? new StoredResponse(this.fingerprint, status,
				ReplayedHeaders.select(response, this.replayedHeaders), body).encode() : null;
		if (encoded != null && encoded.length <= this.maxStoredSize) {
			this.attempt.complete(encoded);
			return;
		}
		String detail = "The response was " + body.length + " bytes, over the "
				+ Math.min(this.maxBodySize, this.maxStoredSize) + " bytes that can be stored for replay; raise "
				+ "idempotent.web.max-response-size and the store's idempotent.store.max-result-size";
		for (String name : this.replayedHeaders) {
			if (!name.equalsIgnoreCase("Content-Type")) {
				response.setHeader(name, null); // the first answer carries only what its replays will
			}
		}
		ProblemResponses.write(response, 500, "Internal Server Error", detail, null);
		this.attempt.complete(new StoredResponse(this.fingerprint, 500,
				List.of(Map.entry("Content-Type", response.getContentType())),
				ProblemResponses.body(500, "Internal Server Error", detail))
			.encode());
	}

	private void finishInTransaction(CapturedResponse response) throws IOException {
		int status = response.getStatus();
		if (this.handlerThrew || response.errorSent() || !this.statuses.stores(status)) {
			this.transaction.rollback();
			return;
		}
		byte[] body = response.getContentAsByteArray();
		byte[] encoded = (body.length <= this.maxBodySize) ? new StoredResponse(this.fingerprint, status,
				ReplayedHeaders.select(response, this.replayedHeaders), body).encode() : null;
		if (encoded == null || encoded.length > this.maxStoredSize) {
			this.transaction.rollback();
			response.reset();
			ProblemResponses.write(response, 500, "Internal Server Error", "The response was " + body.length
					+ " bytes, over the " + Math.min(this.maxBodySize, this.maxStoredSize) + " bytes that can be "
					+ "stored for replay, so its work was rolled back; raise idempotent.web.max-response-size and "
					+ "the store's idempotent.store.max-result-size", null);
			return;
		}
		try {
			if (!this.transaction.commit(encoded)) {
				// marked rollback-only (by the controller's own @Transactional, or by a @Transactional call inside
				// it whose failure the controller caught): rolled back, key released. A success must not be
				// answered for work that was rolled back: the client would never retry and the effect be lost
				if (status < 400) {
					response.reset();
					ProblemResponses.write(response, 500, "Internal Server Error", "The request's work was rolled "
							+ "back (its transaction was marked rollback-only); retrying with the same idempotency "
							+ "key runs it again", null);
				}
				return;
			}
		}
		catch (IdempotencyLeaseLostException ex) {
			logger.warn("{}", ex.getMessage());
			response.reset();
			ProblemResponses.write(response, 409, "Conflict", "This request's claim on its idempotency key was "
					+ "taken over before its work committed, so the work was rolled back; retry later", null);
		}
		catch (RuntimeException ex) {
			logger.warn("The work of a guarded request could not be committed with its completion", ex);
			response.reset();
			ProblemResponses.write(response, 500, "Internal Server Error", "The request's work could not be "
					+ "committed; retrying with the same idempotency key either replays a committed response or "
					+ "runs it once", null);
		}
	}

}
