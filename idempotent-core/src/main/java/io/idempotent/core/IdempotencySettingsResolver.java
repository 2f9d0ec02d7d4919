package io.idempotent.core;

/**
 * Gives the effective settings of an operation, by name: defaults overridden per operation in configuration.
 */
@FunctionalInterface
public interface IdempotencySettingsResolver {

	/** Every operation gets {@link IdempotencySettings#DEFAULTS}. */
	IdempotencySettingsResolver DEFAULTS = (name) -> IdempotencySettings.DEFAULTS;

	/**
	 * The settings of an operation.
	 * @param operationName the operation name
	 * @return its settings
	 */
	IdempotencySettings settingsFor(String operationName);

}
