package io.idempotent.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.TransactionalCompletion;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.IdempotentMethodRegistry;

/**
 * Fails start-up when an operation asks for commit-with-transaction
 * ({@code idempotent.handlers.<name>.commit-with-transaction} or {@code @Idempotent(commitWithTransaction =
 * true)}) and cannot have it: the store is not the JDBC store, no transaction manager for its DataSource
 * exists, or the transaction manager runs on another DataSource. HTTP handlers are accepted: their transaction
 * spans the controller and the buffering of its response; the asynchronous and streaming return types that
 * would finish outside it are refused for every guarded method already. Runs once every singleton, and so
 * every guarded bean, has been created.
 */
final class CommitWithTransactionCheck implements SmartInitializingSingleton {

	private final ObjectProvider<IdempotencyEngine> engine;

	private final ObjectProvider<IdempotentMethodRegistry> registry;

	private final ListableBeanFactory beans;

	CommitWithTransactionCheck(ObjectProvider<IdempotencyEngine> engine,
			ObjectProvider<IdempotentMethodRegistry> registry, ListableBeanFactory beans) {
		this.engine = engine;
		this.registry = registry;
		this.beans = beans;
	}

	@Override
	public void afterSingletonsInstantiated() {
		IdempotentMethodRegistry methods = this.registry.getIfAvailable();
		if (methods == null) {
			return;
		}
		List<IdempotentMethod> transactional = methods.methods()
			.stream()
			.filter((method) -> method.operation().settings().commitWithTransaction())
			.toList();
		if (transactional.isEmpty()) {
			return;
		}
		List<String> names = transactional.stream().map((method) -> method.operation().name()).distinct().toList();
		IdempotencyEngine guard = this.engine.getObject();
		TransactionalCompletion completion = guard.transactionalCompletion();
		if (completion == null) {
			throw new IllegalStateException("Idempotent operations " + names + " are set to commit-with-transaction, "
					+ "which needs the JDBC store and a transaction manager for its DataSource, but "
					+ TransactionalCompletions.whyNot(undecorated(), this.beans, namedTransactionManager()));
		}
		String escaping = EscapingTransactions.describe(transactional);
		if (escaping != null) {
			throw new IllegalStateException("Idempotent operations " + names + " are set to commit-with-transaction, "
					+ "but " + escaping + " takes the method's writes out of the guard's transaction (REQUIRES_NEW "
					+ "commits them on their own before the completion, NOT_SUPPORTED runs them without a "
					+ "transaction, NEVER fails every call), so they could run twice; use REQUIRED (the default) or "
					+ "MANDATORY, or switch commit-with-transaction off");
		}
		try {
			completion.verify();
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Idempotent operations " + names + " are set to commit-with-transaction, "
					+ "but: " + ex.getMessage(), ex);
		}
	}

	/** Reads the guarded methods' own {@code @Transactional}; touched only when a completion exists (spring-tx). */
	private static final class EscapingTransactions {

		private static final java.util.Set<Integer> ESCAPING = java.util.Set.of(
				org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW,
				org.springframework.transaction.TransactionDefinition.PROPAGATION_NOT_SUPPORTED,
				org.springframework.transaction.TransactionDefinition.PROPAGATION_NEVER);

		private static final String[] NAMES = { "REQUIRED", "SUPPORTS", "MANDATORY", "REQUIRES_NEW",
				"NOT_SUPPORTED", "NEVER", "NESTED" };

		/** The first guarded method whose own transaction leaves the guard's, described; null when none does. */
		static String describe(List<IdempotentMethod> methods) {
			org.springframework.transaction.interceptor.TransactionAttributeSource attributes =
					new org.springframework.transaction.annotation.AnnotationTransactionAttributeSource(false);
			for (IdempotentMethod method : methods) {
				org.springframework.transaction.interceptor.TransactionAttribute attribute = attributes
					.getTransactionAttribute(method.method(), method.targetClass());
				if (attribute != null && ESCAPING.contains(attribute.getPropagationBehavior())) {
					return method.targetClass().getSimpleName() + "." + method.method().getName() + "'s own "
							+ "@Transactional(propagation = " + NAMES[attribute.getPropagationBehavior()] + ")";
				}
			}
			return null;
		}

	}

	private String namedTransactionManager() {
		IdempotentProperties properties = this.beans.getBeanProvider(IdempotentProperties.class).getIfAvailable();
		return (properties != null) ? properties.getStore().getJdbc().getTransactionManager() : null;
	}

	private io.idempotent.store.IdempotencyStore undecorated() {
		io.idempotent.store.IdempotencyStore store = this.beans.getBeanProvider(io.idempotent.store.IdempotencyStore.class)
			.getIfAvailable();
		return (store != null) ? store : this.engine.getObject().store();
	}

}
