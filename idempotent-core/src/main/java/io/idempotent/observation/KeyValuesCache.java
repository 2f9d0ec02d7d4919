package io.idempotent.observation;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.micrometer.common.KeyValues;

/**
 * The low-cardinality key values of an observation convention, built once per combination of their three
 * (bounded) values instead of sorted and allocated on every observation. Past {@code 4096} combinations (a
 * convention fed values that are not bounded after all) it stops keeping new ones and builds them per call.
 */
final class KeyValuesCache {

	private static final int LIMIT = 4096;

	/** Builds the key values of one combination. */
	@FunctionalInterface
	interface Factory {

		KeyValues create(String first, String second, String third);

	}

	private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, KeyValues>>> values = new ConcurrentHashMap<>();

	private final Factory factory;

	private volatile int size;

	KeyValuesCache(Factory factory) {
		this.factory = factory;
	}

	KeyValues get(String first, String second, String third) {
		if (first == null || second == null || third == null) {
			return this.factory.create(first, second, third);
		}
		ConcurrentMap<String, ConcurrentMap<String, KeyValues>> byFirst = this.values.get(first);
		ConcurrentMap<String, KeyValues> bySecond = (byFirst != null) ? byFirst.get(second) : null;
		KeyValues cached = (bySecond != null) ? bySecond.get(third) : null;
		if (cached != null) {
			return cached;
		}
		KeyValues created = this.factory.create(first, second, third);
		if (this.size < LIMIT) {
			this.values.computeIfAbsent(first, (key) -> new ConcurrentHashMap<>())
				.computeIfAbsent(second, (key) -> new ConcurrentHashMap<>())
				.putIfAbsent(third, created);
			this.size++; // racy on purpose: the limit is a bound, not an exact count
		}
		return created;
	}

}
