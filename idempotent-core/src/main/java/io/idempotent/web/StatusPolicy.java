package io.idempotent.web;

import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Which final statuses of a claimed HTTP call are stored (and replayed to retries); any other status releases
 * the key so a retry runs the handler again. Written as classes ({@code 2xx}) or single statuses ({@code 409}).
 * The status that reaches the client decides, however it was produced (returned, set, or mapped from an
 * exception by an {@code @ExceptionHandler}).
 */
public final class StatusPolicy {

	/** Stores 2xx, 3xx and 4xx; releases 5xx (so a retry runs). */
	public static final StatusPolicy DEFAULT = parse(List.of("2xx", "3xx", "4xx"));

	private final BitSet stored;

	private final String description;

	private StatusPolicy(BitSet stored, String description) {
		this.stored = stored;
		this.description = description;
	}

	/**
	 * Parses a list such as {@code 2xx, 4xx, 503}.
	 * @param statuses the statuses and classes stored
	 * @return the policy
	 * @throws IllegalArgumentException when an entry is neither
	 */
	public static StatusPolicy parse(Collection<String> statuses) {
		BitSet stored = new BitSet(600);
		for (String entry : statuses) {
			String status = entry.trim().toLowerCase(Locale.ROOT);
			if (status.matches("[1-5]xx")) {
				int from = (status.charAt(0) - '0') * 100;
				stored.set(from, from + 100);
			}
			else if (status.matches("[1-5][0-9][0-9]")) {
				stored.set(Integer.parseInt(status));
			}
			else {
				throw new IllegalArgumentException("'" + entry + "' is not an HTTP status (such as 409) or class "
						+ "(such as 4xx)");
			}
		}
		return new StatusPolicy(stored, String.join(",", statuses));
	}

	/**
	 * Whether a final status is stored.
	 * @param status the status
	 * @return true to store, false to release the key
	 */
	public boolean stores(int status) {
		return status >= 0 && status < 600 && this.stored.get(status);
	}

	/**
	 * This policy without client errors (4xx), for {@code replay-client-errors=false}.
	 * @return the narrower policy
	 */
	public StatusPolicy withoutClientErrors() {
		BitSet narrower = (BitSet) this.stored.clone();
		narrower.clear(400, 500);
		return new StatusPolicy(narrower, this.description + " without 4xx");
	}

	@Override
	public String toString() {
		return this.description;
	}

}
