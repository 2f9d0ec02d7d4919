package io.idempotent.autoconfigure;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

import io.idempotent.core.IdempotencyEngine;

/**
 * Graceful shutdown of the guard. Its phase is below that of message listener containers and of the web
 * server's graceful shutdown, so it stops after they have stopped taking new work, and above that of store
 * infrastructure such as Lettuce's connection factory (phase 0), so the store is still there: it then waits,
 * up to {@code spring.lifecycle.timeout-per-shutdown-phase}, until every claimed call has completed or
 * released its key (background completion retries included). Only then are the engine's keep-alive and the
 * store shut down. As soon as the context starts closing, duplicates waiting on their thread for a running
 * call (ORDERLY queues, last redeliveries) give up and are redelivered, so they do not hold up the shutdown.
 */
final class IdempotencyGracefulShutdown
		implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

	/** Stops after listener containers ({@code Integer.MAX_VALUE}) and the web server (down to MAX - 2048). */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final ObjectProvider<IdempotencyEngine> engine;

	private final Duration timeout;

	private volatile boolean running;

	private ApplicationContext context;

	IdempotencyGracefulShutdown(ObjectProvider<IdempotencyEngine> engine, Duration timeout) {
		this.engine = engine;
		this.timeout = timeout;
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		this.context = context;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		// before any container stops: duplicates waiting for a running call give up, so they do not hold it up
		IdempotencyEngine guard = this.engine.getIfAvailable();
		if (guard != null && event.getApplicationContext() == this.context) {
			guard.shutdownStarted();
		}
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		IdempotencyEngine guard = this.engine.getIfAvailable();
		if (guard != null) {
			// a little under the phase timeout, so the processor does not give up on us first
			guard.awaitClaimsEnded(this.timeout.multipliedBy(9).dividedBy(10));
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
