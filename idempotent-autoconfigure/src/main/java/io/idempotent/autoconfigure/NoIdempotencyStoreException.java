package io.idempotent.autoconfigure;

/**
 * No {@link io.idempotent.store.IdempotencyStore} could be built: the configured store type's infrastructure
 * (a RedisConnectionFactory, a DataSource) is missing. Explained at start-up by
 * {@link NoIdempotencyStoreFailureAnalyzer}.
 */
public class NoIdempotencyStoreException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final StoreType type;

	/**
	 * Creates the exception.
	 * @param type the configured store type, or null when none was configured
	 */
	public NoIdempotencyStoreException(StoreType type) {
		super("No idempotency store could be created for idempotent.store.type=" + type);
		this.type = type;
	}

	/**
	 * The configured store type.
	 * @return the type, or null
	 */
	public StoreType getType() {
		return this.type;
	}

}
