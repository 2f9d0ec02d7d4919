package io.idempotent.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method (or, on a type, each of its public methods) whose effect must happen once per business key.
 *
 * <p>The first call for a key claims it, runs the method and records the result. A later call with the same
 * key does not run the method: when the first call has completed it gets the first call's result back, and
 * while the first call is still running it is refused with
 * {@link io.idempotent.core.IdempotencyInProgressException} (a message is then redelivered later, an HTTP
 * call gets 409), so nothing is lost if the first attempt fails. When the method throws, the claim is
 * released and the exception propagates unchanged, so a retry runs the method again.
 *
 * <p>Tuning (lease, retention, failure mode) lives in configuration, keyed by {@link #name()}; the
 * annotation holds only the identity of the operation.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Idempotent {

	/**
	 * SpEL expression giving the business key, evaluated against the method's arguments: by name
	 * ({@code #order.id}), by position ({@code #p0}, {@code #a0}), plus any variables a transport adapter
	 * adds. Parsed once at start-up. Empty means the adapter's default key (a message's business keys, the
	 * {@code Idempotency-Key} header); a plain method without an adapter must give one.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * Name of the guarded operation; keys are namespaced by it so two operations never share a key, and
	 * per-operation settings are looked up by it. Defaults to {@code SimpleClassName.methodName}.
	 * @return the operation name
	 */
	String name() default "";

	/**
	 * Whether the method runs in a transaction on the JDBC store's database whose commit also completes the
	 * key (the record turns COMPLETED just before that transaction commits, conditional on the claim's owner
	 * token), so the method's writes to that database and the completion commit together or not at all. Needs
	 * the JDBC store and a transaction manager for its DataSource; refused at start-up otherwise. Not yet
	 * supported for HTTP handlers. {@code false} leaves the choice to
	 * {@code idempotent.handlers.<name>.commit-with-transaction} (default {@code false}); {@code true} forces
	 * it on.
	 * @return whether the completion commits with the method's transaction
	 */
	boolean commitWithTransaction() default false;

}
