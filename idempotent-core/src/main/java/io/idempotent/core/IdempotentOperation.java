package io.idempotent.core;

import java.util.Objects;

/**
 * A guarded operation as the engine sees it: its name (the key namespace), where its calls come from, and
 * its settings.
 *
 * @param name the operation name, used as the key namespace and as a metric tag
 * @param source where calls come from ({@code rocketmq}, {@code http} or {@code method}); a metric tag
 * @param settings lease, retention, keep-alive and failure mode
 */
public record IdempotentOperation(String name, String source, IdempotencySettings settings) {

	public IdempotentOperation {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(source, "source");
		Objects.requireNonNull(settings, "settings");
	}

}
