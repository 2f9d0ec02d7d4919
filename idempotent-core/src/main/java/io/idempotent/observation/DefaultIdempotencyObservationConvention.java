package io.idempotent.observation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValues;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.Sha256;
import io.idempotent.observation.IdempotencyObservationDocumentation.ExecutionHighCardinalityKeyNames;
import io.idempotent.observation.IdempotencyObservationDocumentation.ExecutionKeyNames;

/**
 * {@code idempotent.execution} tagged with the operation name, source and outcome (all bounded). The key is
 * never a tag; it is offered only hashed, as a high-cardinality value (span attribute), when asked for.
 */
public class DefaultIdempotencyObservationConvention implements IdempotencyObservationConvention {

	/** The observation name. */
	public static final String NAME = "idempotent.execution";

	private final boolean keyHash;

	private final KeyValuesCache keyValues = new KeyValuesCache((name, source, outcome) -> KeyValues.of(
			ExecutionKeyNames.NAME.withValue(name), ExecutionKeyNames.SOURCE.withValue(source),
			ExecutionKeyNames.OUTCOME.withValue(outcome)));

	private final Map<String, String> contextualNames = new ConcurrentHashMap<>();

	/** Creates the convention without the key hash. */
	public DefaultIdempotencyObservationConvention() {
		this(false);
	}

	/**
	 * Creates the convention.
	 * @param keyHash whether to add the SHA-256 of the key as a high-cardinality value
	 */
	public DefaultIdempotencyObservationConvention(boolean keyHash) {
		this.keyHash = keyHash;
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(IdempotencyObservationContext context) {
		String operation = context.getOperation().name();
		String name = this.contextualNames.get(operation);
		return (name != null) ? name : this.contextualNames.computeIfAbsent(operation, (o) -> "idempotent " + o);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(IdempotencyObservationContext context) {
		return this.keyValues.get(context.getOperation().name(), context.getOperation().source(),
				context.getOutcome());
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(IdempotencyObservationContext context) {
		KeyValues values = KeyValues.empty();
		if (context.getOriginalTraceId() != null) {
			values = values.and(ExecutionHighCardinalityKeyNames.ORIGINAL_TRACE_ID.withValue(context.getOriginalTraceId()));
		}
		if (this.keyHash && context.getKey() != null) {
			values = values.and(ExecutionHighCardinalityKeyNames.KEY_HASH.withValue(hash(context.getKey())));
		}
		return values;
	}

	private static String hash(IdempotencyKey key) {
		MessageDigest digest = Sha256.newDigest();
		digest.update(key.name().getBytes(StandardCharsets.UTF_8));
		digest.update((byte) 0);
		digest.update(key.value().getBytes(StandardCharsets.UTF_8));
		return Sha256.hex(digest.digest());
	}

}
