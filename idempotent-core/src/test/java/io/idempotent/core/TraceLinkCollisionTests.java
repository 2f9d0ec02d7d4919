package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.idempotent.observation.ObservedIdempotencyStore;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * A result whose bytes (from a codec other than JSON, e.g. raw bytes) happen to begin with the trace envelope's
 * prefix is replayed as it was written, with tracing off, with tracing on and no current trace, and with a trace.
 */
class TraceLinkCollisionTests {

	private static final String RESULT = "\0idempotent:trace\0\u0003abcTHE-REST";

	private final AtomicInteger runs = new AtomicInteger();

	private LeaseKeepAlive keepAlive;

	@AfterEach
	void close() {
		if (this.keepAlive != null) {
			this.keepAlive.close();
		}
	}

	@Test
	void userBytesThatLookLikeTheEnvelopeReplayUnchangedWithTracingOff() throws Throwable {
		assertReplayedUnchanged(new InMemoryIdempotencyStore());
	}

	@Test
	void userBytesThatLookLikeTheEnvelopeReplayUnchangedWithoutACurrentTrace() throws Throwable {
		assertReplayedUnchanged(
				new ObservedIdempotencyStore(new InMemoryIdempotencyStore(), ObservationRegistry.create(), () -> null));
	}

	@Test
	void userBytesThatLookLikeTheEnvelopeReplayUnchangedUnderATrace() throws Throwable {
		assertReplayedUnchanged(new ObservedIdempotencyStore(new InMemoryIdempotencyStore(),
				ObservationRegistry.create(), () -> "4bf92f3577b34da6a3ce929d0e0e4736"));
	}

	private void assertReplayedUnchanged(IdempotencyStore store) throws Throwable {
		IdempotencyObserver observer = new IdempotencyObserver() {
		};
		this.keepAlive = new LeaseKeepAlive(store, observer);
		IdempotencyEngine engine = new IdempotencyEngine(store, observer, this.keepAlive);
		IdempotentOperation operation = new IdempotentOperation("op", "method", IdempotencySettings.DEFAULTS);
		IdempotencyKey key = IdempotencyKey.of("op", "k-1");
		assertThat(engine.execute(operation, key, new RawCall(RESULT))).isEqualTo(RESULT);
		assertThat(engine.execute(operation, key, new RawCall("second"))).isEqualTo(RESULT);
		assertThat(this.runs).hasValue(1);
	}

	private final class RawCall implements GuardedCall<String> {

		private final String result;

		RawCall(String result) {
			this.result = result;
		}

		@Override
		public String proceed() {
			TraceLinkCollisionTests.this.runs.incrementAndGet();
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

}
