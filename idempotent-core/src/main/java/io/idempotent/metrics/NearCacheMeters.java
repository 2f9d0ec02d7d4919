package io.idempotent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.idempotent.core.NearCache;

/**
 * The gauge {@code idempotent.near-cache.size}: how many completed keys this instance keeps in its near cache.
 * Its hits are counted by {@code idempotent.duplicates{level=near}} ({@link MicrometerIdempotencyObserver}).
 */
public final class NearCacheMeters implements MeterBinder {

	/** Name of the near-cache size gauge. */
	public static final String SIZE = "idempotent.near-cache.size";

	private final NearCache cache;

	/**
	 * Creates the binder.
	 * @param cache the near cache
	 */
	public NearCacheMeters(NearCache cache) {
		this.cache = cache;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(SIZE, this.cache, NearCache::size)
			.description("Completed keys kept in this instance's near cache")
			.strongReference(true)
			.register(registry);
	}

}
