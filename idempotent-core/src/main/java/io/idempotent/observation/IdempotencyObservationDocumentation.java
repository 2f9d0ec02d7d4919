package io.idempotent.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations idempotent makes: one per guarded call, with a child per store round trip.
 */
public enum IdempotencyObservationDocumentation implements ObservationDocumentation {

	/**
	 * A guarded call: claim, then run, replay or refuse.
	 */
	EXECUTION {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultIdempotencyObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return ExecutionKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return ExecutionHighCardinalityKeyNames.values();
		}

	},

	/**
	 * One round trip to the store (acquire, complete, release).
	 */
	STORE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultStoreObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return StoreKeyNames.values();
		}

	};

	/** Low-cardinality key values of {@link #EXECUTION}. */
	public enum ExecutionKeyNames implements KeyName {

		/** The operation name ({@code @Idempotent(name)}). */
		NAME {
			@Override
			public String asString() {
				return "idempotent.name";
			}
		},

		/** Where the call came from: {@code rocketmq}, {@code http} or {@code method}. */
		SOURCE {
			@Override
			public String asString() {
				return "idempotent.source";
			}
		},

		/**
		 * How it ended: {@code executed}, {@code replayed}, {@code refused-in-progress}, {@code mismatch},
		 * {@code fenced}, {@code unguarded}, {@code failed}, or {@code unknown} (ended before the claim, e.g. a key
		 * that could not be resolved).
		 */
		OUTCOME {
			@Override
			public String asString() {
				return "idempotent.outcome";
			}
		}

	}

	/** High-cardinality key values of {@link #EXECUTION}. */
	public enum ExecutionHighCardinalityKeyNames implements KeyName {

		/**
		 * SHA-256 of the stored key (namespace and key), hex; only with
		 * {@code idempotent.observation.key-hash=true}.
		 */
		KEY_HASH {
			@Override
			public String asString() {
				return "idempotent.key.hash";
			}
		},

		/** On a replay: the trace id of the call that did the work, when it was recorded with one. */
		ORIGINAL_TRACE_ID {
			@Override
			public String asString() {
				return "idempotent.original.trace.id";
			}
		}

	}

	/** Low-cardinality key values of {@link #STORE}. */
	public enum StoreKeyNames implements KeyName {

		/** The store type: {@code redis}, {@code jdbc}, {@code memory}. */
		STORE {
			@Override
			public String asString() {
				return "idempotent.store";
			}
		},

		/** The transition: {@code acquire}, {@code complete}, {@code release}. */
		TRANSITION {
			@Override
			public String asString() {
				return "idempotent.transition";
			}
		},

		/**
		 * What the store answered: {@code acquired} | {@code in_progress} | {@code completed} for an acquire,
		 * {@code ok} | {@code fenced} for a complete or release, {@code error} when it threw.
		 */
		RESULT {
			@Override
			public String asString() {
				return "idempotent.result";
			}
		}

	}

}
