package io.idempotent.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import org.junit.jupiter.api.Test;

import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;

/**
 * The default conventions build each combination of their bounded tag values once and hand the same key values
 * back, equal to what they built per call before; every combination keeps its own values.
 */
class ObservationConventionKeyValuesTests {

	@Test
	void storeKeyValuesAreBuiltOncePerCombinationAndStayDistinct() {
		DefaultStoreObservationConvention convention = new DefaultStoreObservationConvention();
		for (String result : new String[] { "acquired", "completed", "ok", "error" }) {
			for (String transition : new String[] { "acquire", "complete", "release" }) {
				StoreObservationContext first = context("redis", transition, result);
				KeyValues values = convention.getLowCardinalityKeyValues(first);
				assertThat(values).containsExactlyInAnyOrder(KeyValue.of("idempotent.store", "redis"),
						KeyValue.of("idempotent.transition", transition), KeyValue.of("idempotent.result", result));
				assertThat(convention.getLowCardinalityKeyValues(context("redis", transition, result))).isSameAs(values);
				assertThat(convention.getContextualName(first)).isEqualTo("idempotent store " + transition);
			}
		}
		assertThat(convention.getLowCardinalityKeyValues(context("jdbc", "acquire", "ok")))
			.contains(KeyValue.of("idempotent.store", "jdbc"));
	}

	@Test
	void executionKeyValuesAreBuiltOncePerCombinationAndStayDistinct() {
		DefaultIdempotencyObservationConvention convention = new DefaultIdempotencyObservationConvention();
		IdempotencyObservationContext executed = execution("payments", "http", "executed");
		KeyValues values = convention.getLowCardinalityKeyValues(executed);
		assertThat(values).containsExactlyInAnyOrder(KeyValue.of("idempotent.name", "payments"), KeyValue.of("idempotent.source", "http"),
				KeyValue.of("idempotent.outcome", "executed"));
		assertThat(convention.getLowCardinalityKeyValues(execution("payments", "http", "executed"))).isSameAs(values);
		assertThat(convention.getLowCardinalityKeyValues(execution("payments", "http", "replayed")))
			.contains(KeyValue.of("idempotent.outcome", "replayed"));
		assertThat(convention.getLowCardinalityKeyValues(execution("payments", "rocketmq", "executed")))
			.contains(KeyValue.of("idempotent.source", "rocketmq"));
		assertThat(convention.getContextualName(executed)).isEqualTo("idempotent payments");
	}

	@Test
	void pastTheCachedCombinationsAndFromManyThreadsEveryCombinationGetsItsOwnValues() throws Exception {
		DefaultStoreObservationConvention convention = new DefaultStoreObservationConvention();
		java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
		try {
			java.util.List<java.util.concurrent.Future<?>> checks = new java.util.ArrayList<>();
			for (int thread = 0; thread < 4; thread++) {
				checks.add(threads.submit(() -> {
					for (int round = 0; round < 2; round++) {
						for (int i = 0; i < 6000; i++) {
							String store = "s" + (i % 7);
							String transition = "t" + (i / 7);
							String result = "r" + (i % 3);
							assertThat(convention.getLowCardinalityKeyValues(context(store, transition, result)))
								.containsExactlyInAnyOrder(KeyValue.of("idempotent.store", store),
										KeyValue.of("idempotent.transition", transition),
										KeyValue.of("idempotent.result", result));
						}
					}
					return null;
				}));
			}
			for (java.util.concurrent.Future<?> check : checks) {
				check.get();
			}
		}
		finally {
			threads.shutdown();
		}
	}

	@Test
	void aContextWithoutATransitionStillHasAContextualName() {
		// StoreObservationContext is public: a null transition named "null" before the names were cached, and must
		// not throw from the cache now
		assertThat(new DefaultStoreObservationConvention().getContextualName(context("redis", null, "ok")))
			.isEqualTo("idempotent store null");
	}

	private static StoreObservationContext context(String store, String transition, String result) {
		StoreObservationContext context = new StoreObservationContext(store, transition);
		context.setResult(result);
		return context;
	}

	private static IdempotencyObservationContext execution(String name, String source, String outcome) {
		IdempotencyObservationContext context = new IdempotencyObservationContext(
				new IdempotentOperation(name, source, IdempotencySettings.DEFAULTS));
		context.setOutcome(outcome);
		return context;
	}

}
