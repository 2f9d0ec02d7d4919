package io.idempotent.observation;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.TraceLink;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.ForwardingIdempotencyStore;
import io.idempotent.store.IdempotencyStore;

/**
 * Makes each claim, completion and release an {@code idempotent.store} observation, a child of the call's
 * {@code idempotent.execution}, and links a replay to its original: a completion stores the current trace id
 * inside the result ({@link TraceLink}), and an acquire that finds a completed key hands that trace id to the
 * replay's observation. Renewals (background keep-alive), finds and evictions are delegated unobserved.
 */
public final class ObservedIdempotencyStore implements ForwardingIdempotencyStore {

	/** The {@code result} value of each acquire status, lower case, made once. */
	private static final String[] RESULTS = Arrays.stream(AcquireResult.Status.values())
		.map((status) -> status.name().toLowerCase(Locale.ROOT))
		.toArray(String[]::new);

	private static final DefaultStoreObservationConvention CONVENTION = new DefaultStoreObservationConvention();

	private final IdempotencyStore delegate;

	/** Whether the delegate chain completes keys in the caller's transaction (else passed through, unrecorded). */
	private final boolean completesInCurrentTransaction;

	private final ObservationRegistry registry;

	private final Supplier<String> traceIds;

	/** Trace ids of completions that failed, by claim token, for the engine's background retry. */
	private final Map<String, String> retriedTraceIds = new ConcurrentHashMap<>();

	/** Completions being retried at once whose trace id is kept (beyond it, a retried one is stored without). */
	private static final int MAX_RETRIED_TRACE_IDS = 1024;

	/**
	 * Wraps a store.
	 * @param delegate the store
	 * @param registry the observation registry
	 * @param traceIds the current trace id (null when there is none); null when tracing is off
	 */
	public ObservedIdempotencyStore(IdempotencyStore delegate, ObservationRegistry registry,
			Supplier<String> traceIds) {
		this.delegate = delegate;
		this.completesInCurrentTransaction = ForwardingIdempotencyStore.completesInCurrentTransaction(delegate);
		this.registry = registry;
		this.traceIds = traceIds;
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
		return acquire(key, () -> this.delegate.tryAcquire(key, lease));
	}

	@Override
	public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
		return acquire(key, () -> this.delegate.tryAcquire(key, lease, fingerprint));
	}

	private AcquireResult acquire(IdempotencyKey key, Supplier<AcquireResult> call) {
		IdempotencyObservationContext execution = currentExecution(this.registry);
		if (execution != null) {
			execution.setKey(key);
		}
		StoreObservationContext context = new StoreObservationContext(type(), "acquire");
		AcquireResult result = observe(context, () -> {
			AcquireResult found = call.get();
			context.setResult(RESULTS[found.status().ordinal()]);
			return found;
		});
		if (execution != null && result.status() == AcquireResult.Status.COMPLETED) {
			execution.setOriginalTraceId(TraceLink.traceId(result.result()));
		}
		return result;
	}

	@Override
	public int maxResultSize() {
		int limit = this.delegate.maxResultSize();
		return (this.traceIds != null) ? Math.max(0, limit - TraceLink.OVERHEAD) : limit;
	}

	@Override
	public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
		if (this.traceIds == null) {
			return transition("complete", () -> this.delegate.complete(key, token, result, retention));
		}
		// a completion that failed is retried by the engine in the background, where no trace is current: it keeps
		// the trace id of the call that did the work
		String current = this.traceIds.get();
		String traceId = (current != null || token == null) ? current : this.retriedTraceIds.get(token);
		// the engine hands over results already enveloped when their own bytes begin like the envelope (with an
		// empty trace id): unwrapping that one layer and wrapping again keeps exactly one envelope
		byte[] stored = TraceLink.wrap(traceId, TraceLink.unwrap(result));
		try {
			boolean done = transition("complete", () -> this.delegate.complete(key, token, stored, retention));
			if (token != null) {
				this.retriedTraceIds.remove(token);
			}
			return done;
		}
		catch (RuntimeException | Error ex) {
			if (traceId != null && token != null && this.retriedTraceIds.size() < MAX_RETRIED_TRACE_IDS) {
				this.retriedTraceIds.put(token, traceId);
			}
			throw ex;
		}
	}

	@Override
	public boolean completeInCurrentTransaction(IdempotencyKey key, String token, byte[] result,
			Duration retention) {
		if (!this.completesInCurrentTransaction) {
			// a decorator below does not forward it: no store call happens here (it throws), nothing is observed
			return this.delegate.completeInCurrentTransaction(key, token, result, retention);
		}
		// runs on the call's own thread, in its trace: the result carries the current trace id
		byte[] stored = (this.traceIds != null) ? TraceLink.wrap(this.traceIds.get(), TraceLink.unwrap(result)) : result;
		return transition("complete",
				() -> this.delegate.completeInCurrentTransaction(key, token, stored, retention));
	}

	@Override
	public boolean release(IdempotencyKey key, String token) {
		if (token != null) {
			this.retriedTraceIds.remove(token);
		}
		return transition("release", () -> this.delegate.release(key, token));
	}

	private boolean transition(String name, Supplier<Boolean> call) {
		StoreObservationContext context = new StoreObservationContext(type(), name);
		return observe(context, () -> {
			boolean done = call.get();
			context.setResult(done ? "ok" : "fenced");
			return done;
		});
	}

	@Override
	public boolean renew(IdempotencyKey key, String token, Duration lease) {
		return this.delegate.renew(key, token, lease);
	}

	@Override
	public Optional<IdempotencyRecord> find(IdempotencyKey key) {
		return this.delegate.find(key);
	}

	@Override
	public boolean evict(IdempotencyKey key) {
		return this.delegate.evict(key);
	}

	@Override
	public String type() {
		return this.delegate.type();
	}

	/**
	 * The store this one observes.
	 * @return the delegate
	 */
	@Override
	public IdempotencyStore delegate() {
		return this.delegate;
	}

	private <T> T observe(StoreObservationContext context, Supplier<T> call) {
		return IdempotencyObservationDocumentation.STORE
			.observation(null, CONVENTION, () -> context, this.registry)
			.observe(call);
	}

	/**
	 * The {@code idempotent.execution} observation's context of the current call, if one is in scope.
	 * @param registry the registry
	 * @return the context, or null
	 */
	static IdempotencyObservationContext currentExecution(ObservationRegistry registry) {
		ObservationView current = registry.getCurrentObservation();
		for (int depth = 0; current != null && depth < 3; depth++) {
			if (current.getContextView() instanceof IdempotencyObservationContext execution) {
				return execution;
			}
			current = current.getContextView().getParentObservation();
		}
		return null;
	}

}
