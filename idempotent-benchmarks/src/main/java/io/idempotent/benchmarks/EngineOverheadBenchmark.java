package io.idempotent.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

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
 * call of a key claims, runs and completes it; a duplicate finds it completed. Keys are retained 5 s so the
 * store stays small.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.NANOSECONDS)
public class EngineOverheadBenchmark {

	private final AtomicLong keys = new AtomicLong();

	private GuardedHandler bare;

	private GuardedHandler guarded;

	@Setup
	public void setUp() {
		this.bare = GuardedHandler.bare();
		this.guarded = GuardedHandler.guarded(new InMemoryIdempotencyStore(), Duration.ofSeconds(5));
		this.guarded.handle("duplicate");
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
		this.guarded.handle("duplicate");
	}

}
