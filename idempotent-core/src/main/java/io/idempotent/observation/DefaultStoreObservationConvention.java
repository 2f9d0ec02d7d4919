package io.idempotent.observation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

import io.idempotent.observation.IdempotencyObservationDocumentation.StoreKeyNames;

/**
 * {@code idempotent.store} tagged with the store type, the transition and the store's answer.
 */
public class DefaultStoreObservationConvention implements ObservationConvention<StoreObservationContext> {

	/** The observation name. */
	public static final String NAME = "idempotent.store";

	private final KeyValuesCache keyValues = new KeyValuesCache((store, transition, result) -> KeyValues
		.of(StoreKeyNames.STORE.withValue(store), StoreKeyNames.TRANSITION.withValue(transition),
				StoreKeyNames.RESULT.withValue(result)));

	private final Map<String, String> contextualNames = new ConcurrentHashMap<>();

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof StoreObservationContext;
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(StoreObservationContext context) {
		String transition = context.getTransition();
		if (transition == null) {
			return "idempotent store null"; // the context is public: no transition is no key of the cache
		}
		String name = this.contextualNames.get(transition);
		return (name != null) ? name : this.contextualNames.computeIfAbsent(transition, (t) -> "idempotent store " + t);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(StoreObservationContext context) {
		return this.keyValues.get(context.getStore(), context.getTransition(), context.getResult());
	}

}
