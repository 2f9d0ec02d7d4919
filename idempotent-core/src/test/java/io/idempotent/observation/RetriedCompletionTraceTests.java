package io.idempotent.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyObserver;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.core.LeaseKeepAlive;
import io.idempotent.core.TraceLink;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.RecordState;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * A completion that failed once and is written by the background retry (another thread, no current trace) still
 * carries the trace id of the call that did the work.
 */
class RetriedCompletionTraceTests {

	private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

	private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore();

	private final FailOnceStore flaky = new FailOnceStore(this.memory);

	private final ThreadLocal<String> currentTrace = new ThreadLocal<>();

	private final ObservedIdempotencyStore store = new ObservedIdempotencyStore(this.flaky,
			ObservationRegistry.create(), this.currentTrace::get);

	private final LeaseKeepAlive keepAlive = new LeaseKeepAlive(this.store, IdempotencyObserver.NONE);

	private final IdempotencyEngine engine = new IdempotencyEngine(this.store, IdempotencyObserver.NONE,
			this.keepAlive);

	@AfterEach
	void close() {
		this.keepAlive.close();
		this.engine.close();
	}

	@Test
	void aRetriedCompletionKeepsTheOriginalTraceId() throws Throwable {
		IdempotentOperation operation = new IdempotentOperation("op", "method", IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "k-1");
		this.currentTrace.set(TRACE);
		try {
			assertThat(this.engine.execute(operation, key, new Call("done"))).isEqualTo("done");
		}
		finally {
			this.currentTrace.remove();
		}
		assertThat(this.flaky.failed).isTrue();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.memory.find(key).map(IdempotencyRecord::state).orElse(null) == RecordState.COMPLETED);
		AcquireResult completed = this.memory.tryAcquire(key, Duration.ofSeconds(1));
		assertThat(completed.status()).isEqualTo(AcquireResult.Status.COMPLETED);
		assertThat(TraceLink.traceId(completed.result())).isEqualTo(TRACE);
		assertThat(TraceLink.unwrap(completed.result())).isEqualTo("done".getBytes(StandardCharsets.UTF_8));
	}

	private static final class Call implements GuardedCall<String> {

		private final String result;

		Call(String result) {
			this.result = result;
		}

		@Override
		public String proceed() {
			return this.result;
		}

		@Override
		public byte[] encode(String value) {
			return value.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String replay(byte[] stored) {
			return new String(stored, StandardCharsets.UTF_8);
		}

	}

	private static final class FailOnceStore implements IdempotencyStore {

		private final IdempotencyStore delegate;

		volatile boolean failed;

		private final AtomicBoolean failNext = new AtomicBoolean(true);

		FailOnceStore(IdempotencyStore delegate) {
			this.delegate = delegate;
		}

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
			return this.delegate.tryAcquire(key, lease);
		}

		@Override
		public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
			if (this.failNext.compareAndSet(true, false)) {
				this.failed = true;
				throw new IdempotencyStoreException("connection reset");
			}
			return this.delegate.complete(key, token, result, retention);
		}

		@Override
		public boolean release(IdempotencyKey key, String token) {
			return this.delegate.release(key, token);
		}

		@Override
		public boolean renew(IdempotencyKey key, String token, Duration lease) {
			return this.delegate.renew(key, token, lease);
		}

		@Override
		public Optional<IdempotencyRecord> find(IdempotencyKey key) {
			return this.delegate.find(key);
		}

		@Override
		public boolean evict(IdempotencyKey key) {
			return this.delegate.evict(key);
		}

		@Override
		public String type() {
			return this.delegate.type();
		}

	}

}
