package io.idempotent.autoconfigure;

import io.idempotent.core.FailureMode;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.core.PayloadMismatch;

/**
 * Resolves an operation's settings from {@link IdempotentProperties}: its entry under
 * {@code idempotent.handlers}, falling back field by field to {@code idempotent.defaults}, and for the failure
 * mode to {@code idempotent.store.failure-mode}.
 */
public final class PropertiesSettingsResolver implements IdempotencySettingsResolver {

	private final IdempotentProperties properties;

	/**
	 * Creates the resolver.
	 * @param properties the bound properties
	 */
	public PropertiesSettingsResolver(IdempotentProperties properties) {
		this.properties = properties;
	}

	@Override
	public IdempotencySettings settingsFor(String operationName) {
		IdempotentProperties.Operation defaults = this.properties.getDefaults();
		IdempotentProperties.Operation own = this.properties.getHandlers().get(operationName);
		if (own == null) {
			own = new IdempotentProperties.Operation();
		}
		FailureMode storeDefault = this.properties.getStore().getFailureMode();
		return new IdempotencySettings(pick(own.getLease(), defaults.getLease()),
				pick(own.getRetention(), defaults.getRetention()), pick(own.getKeepAlive(), defaults.getKeepAlive()),
				pick(own.getFailureMode(), pick(defaults.getFailureMode(), storeDefault)),
				pick(own.getOnPayloadMismatch(), pick(defaults.getOnPayloadMismatch(), PayloadMismatch.REPLAY)),
				pick(own.getCommitWithTransaction(), pick(defaults.getCommitWithTransaction(), false)),
				pick(own.getNearCache(), pick(defaults.getNearCache(), this.properties.getNearCache().isEnabled())));
	}

	private static <T> T pick(T own, T fallback) {
		return (own != null) ? own : fallback;
	}

}
