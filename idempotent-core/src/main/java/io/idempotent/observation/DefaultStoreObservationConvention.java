package io.idempotent.observation;

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
		return "idempotent store " + context.getTransition();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(StoreObservationContext context) {
		return KeyValues.of(StoreKeyNames.STORE.withValue(context.getStore()),
				StoreKeyNames.TRANSITION.withValue(context.getTransition()),
				StoreKeyNames.RESULT.withValue(context.getResult()));
	}

}
