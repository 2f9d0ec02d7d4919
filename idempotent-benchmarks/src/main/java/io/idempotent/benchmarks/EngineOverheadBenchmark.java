package io.idempotent.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.observation.ObservationRegistry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The engine's own cost on the in-memory store: a guarded no-op method against the bare method. The first
 * call of a key claims, runs and completes it; a duplicate finds it completed. First calls use a store that
 * retains keys for 100 ms, so the store stays small and the figure is the guard's, not the heap's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.NANOSECONDS)
public class EngineOverheadBenchmark {

	private final AtomicLong keys = new AtomicLong();

	private GuardedHandler bare;

	private GuardedHandler guarded;

	private GuardedHandler guardedDuplicates;

	private GuardedHandler noopObservedFirstCalls;

	private GuardedHandler noopObservedDuplicates;

	@Setup
	public void setUp() {
		this.bare = GuardedHandler.bare();
		this.guarded = GuardedHandler.guarded(new InMemoryIdempotencyStore(), Duration.ofMillis(100));
		this.guardedDuplicates = GuardedHandler.guarded(new InMemoryIdempotencyStore(), Duration.ofHours(1));
		this.guardedDuplicates.handle("duplicate");
		this.noopObservedFirstCalls = GuardedHandler.guarded(new InMemoryIdempotencyStore(), Duration.ofMillis(100),
				ObservationRegistry.NOOP);
		this.noopObservedDuplicates = GuardedHandler.guarded(new InMemoryIdempotencyStore(), Duration.ofHours(1),
				ObservationRegistry.NOOP);
		this.noopObservedDuplicates.handle("duplicate");
	}

	@Benchmark
	public void bareMethod() {
		this.bare.handle(Long.toString(this.keys.incrementAndGet()));
	}

	@Benchmark
	public void guardedFirstCall() {
		this.guarded.handle(Long.toString(this.keys.incrementAndGet()));
	}

	@Benchmark
	public void guardedDuplicate() {
		this.guardedDuplicates.handle("duplicate");
	}

	@Benchmark
	public void guardedFirstCallNoopObservations() {
		this.noopObservedFirstCalls.handle(Long.toString(this.keys.incrementAndGet()));
	}

	@Benchmark
	public void guardedDuplicateNoopObservations() {
		this.noopObservedDuplicates.handle("duplicate");
	}

}
