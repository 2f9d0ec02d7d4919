package io.idempotent.autoconfigure;

/**
 * No {@link io.idempotent.store.IdempotencyStore} could be built: the configured store type's infrastructure
 * (a RedisConnectionFactory, a DataSource) is missing, or several exist and none is primary or named. Explained
 * at start-up by {@link NoIdempotencyStoreFailureAnalyzer}.
 */
public class NoIdempotencyStoreException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final StoreType type;

	private final String found;

	/**
	 * Creates the exception.
	 * @param type the configured store type, or null when none was configured
	 */
	public NoIdempotencyStoreException(StoreType type) {
		this(type, null);
	}

	/**
	 * Creates the exception.
	 * @param type the store type being built, or null
	 * @param found what was found instead, such as "2 DataSource beans (a, b), none primary", or null
	 */
	public NoIdempotencyStoreException(StoreType type, String found) {
		super("No idempotency store could be created for idempotent.store.type=" + type
				+ ((found != null) ? ": " + found : ""));
		this.type = type;
		this.found = found;
	}

	/**
	 * The configured store type.
	 * @return the type, or null
	 */
	public StoreType getType() {
		return this.type;
	}

	/**
	 * What was found instead of one usable infrastructure bean.
	 * @return the description, or null when nothing was found
	 */
	public String getFound() {
		return this.found;
	}

}
