package io.idempotent.core;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import io.idempotent.store.IdempotencyKey;

/**
 * The claim of the guarded call running on the current thread, so business code can see it: its operation, its
 * key, whether it still owns the key, and its fence.
 *
 * <p>The <b>fence</b> grows with every claim and takeover of a key (when the store keeps one; 0 otherwise), so
 * it can serve as a version in a conditional write downstream ({@code UPDATE ... WHERE fence < ?}): a call whose
 * lease expired and was taken over carries a smaller fence than its successor and loses that write.
 *
 * <p>{@link #isOwned()} is false once the lease could not be renewed in time (keep-alive) or was taken over; a
 * call can then stop before taking effect ({@link #assertOwned()}).
 */
public final class IdempotencyContext {

	private static final ThreadLocal<IdempotencyContext> CURRENT = new ThreadLocal<>();

	private static final Scope NO_SCOPE = () -> {
	};

	private final IdempotentOperation operation;

	private final IdempotencyKey key;

	private final long fence;

	private final BooleanSupplier owned;

	IdempotencyContext(IdempotentOperation operation, IdempotencyKey key, long fence, BooleanSupplier owned) {
		this.operation = operation;
		this.key = key;
		this.fence = fence;
		this.owned = owned;
	}

	/**
	 * The claim of the guarded call running on this thread.
	 * @return the context, empty outside a claimed call
	 */
	public static Optional<IdempotencyContext> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	/**
	 * Makes a claim current on this thread until the returned scope is closed; for transports that drive
	 * {@link IdempotencyEngine#begin} themselves ({@code try (var scope = IdempotencyContext.bind(attempt.context()))}).
	 * @param context the claim's context, or null (then nothing is bound)
	 * @return the scope to close
	 */
	public static Scope bind(IdempotencyContext context) {
		if (context == null) {
			return NO_SCOPE;
		}
		IdempotencyContext previous = CURRENT.get();
		CURRENT.set(context);
		return () -> {
			if (previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(previous);
			}
		};
	}

	/**
	 * The operation name.
	 * @return the name
	 */
	public String operationName() {
		return this.operation.name();
	}

	/**
	 * The claimed key (its {@code toString()} never shows the value).
	 * @return the key
	 */
	public IdempotencyKey key() {
		return this.key;
	}

	/**
	 * The claim's fence: greater than that of every earlier claim of the same key; 0 when the store keeps none.
	 * @return the fence
	 */
	public long fence() {
		return this.fence;
	}

	/**
	 * Whether this call still owns its key: its lease was renewed in time and not taken over.
	 * @return true while owned
	 */
	public boolean isOwned() {
		return this.owned.getAsBoolean();
	}

	/**
	 * Fails unless this call still owns its key.
	 * @throws IdempotencyLeaseLostException when the claim was lost
	 */
	public void assertOwned() {
		if (!isOwned()) {
			throw new IdempotencyLeaseLostException(this.operation.name());
		}
	}

	/** Unbinds a context bound by {@link #bind}. */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
