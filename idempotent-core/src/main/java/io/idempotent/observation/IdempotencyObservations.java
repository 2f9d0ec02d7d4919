package io.idempotent.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import io.idempotent.core.IdempotentOperation;

/**
 * Wraps each guarded call in an {@code idempotent.execution} observation. {@link #enabled()} is false when there
 * is no registry or it is {@link ObservationRegistry#NOOP}, and callers then skip this class entirely: the guarded path allocates
 * nothing for observations.
 */
public final class IdempotencyObservations {

	/** No observations. */
	public static final IdempotencyObservations NONE = new IdempotencyObservations(null, null, false);

	private final ObservationRegistry registry;

	private final IdempotencyObservationConvention customConvention;

	private final DefaultIdempotencyObservationConvention defaultConvention;

	/**
	 * Creates the observations.
	 * @param registry the registry, or null for none
	 * @param customConvention a convention replacing the default, or null
	 * @param keyHash whether the default convention adds the key's SHA-256 as a high-cardinality value
	 */
	public IdempotencyObservations(ObservationRegistry registry, IdempotencyObservationConvention customConvention,
			boolean keyHash) {
		this.registry = registry;
		this.customConvention = customConvention;
		this.defaultConvention = new DefaultIdempotencyObservationConvention(keyHash);
	}

	/**
	 * Whether calls are observed now.
	 * @return false without a registry or with {@link ObservationRegistry#NOOP}
	 */
	public boolean enabled() {
		return this.registry != null && !this.registry.isNoop();
	}

	/**
	 * Runs a guarded call inside its observation.
	 * @param operation the operation
	 * @param call the call
	 * @return its result
	 * @throws Throwable whatever the call throws, unchanged
	 */
	public Object observe(IdempotentOperation operation, Call call) throws Throwable {
		IdempotencyObservationContext context = new IdempotencyObservationContext(operation);
		Observation observation = IdempotencyObservationDocumentation.EXECUTION
			.observation(this.customConvention, this.defaultConvention, () -> context, this.registry)
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			return call.run();
		}
		catch (Throwable ex) {
			// a replay or refusal thrown as control flow (an HTTP answer, a redelivery) is not the call's error; a
			// call run unguarded (fail-open) that throws is, its outcome staying unguarded
			String outcome = context.getOutcome();
			if (outcome.equals("failed") || outcome.equals("unknown") || outcome.equals("unguarded")) {
				observation.error(ex);
			}
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	/** A guarded call. */
	@FunctionalInterface
	public interface Call {

		/**
		 * Runs it.
		 * @return its result
		 * @throws Throwable whatever it throws
		 */
		Object run() throws Throwable;

	}

}
