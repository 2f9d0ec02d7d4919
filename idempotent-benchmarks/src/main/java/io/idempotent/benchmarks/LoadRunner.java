package io.idempotent.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one operation in a closed loop on N threads: a warm-up, then a measured window in which every
 * operation's latency is recorded, and the CPU time the calling threads spend per operation in that window. Each
 * call gets a number unique across threads (for unique keys).
 */
final class LoadRunner {

	/** One operation under load. */
	@FunctionalInterface
	interface Operation {

		void run(long sequence) throws Exception;

	}

	/** Told when the measured window opens and closes (e.g. to read allocation counters). */
	interface Window {

		void opened();

		void closed();

	}

	private static final Window NO_WINDOW = new Window() {

		@Override
		public void opened() {
		}

		@Override
		public void closed() {
		}

	};

	private LoadRunner() {
	}

	static LoadResult run(int threads, Duration warmup, Duration measure, Operation operation) throws Exception {
		return run(threads, warmup, measure, operation, NO_WINDOW);
	}

	static LoadResult run(int threads, Duration warmup, Duration measure, Operation operation, Window window)
			throws Exception {
		AtomicLong sequence = new AtomicLong();
		AtomicBoolean measuring = new AtomicBoolean();
		AtomicBoolean stop = new AtomicBoolean();
		List<long[]> samples = new ArrayList<>();
		int[] counts = new int[threads];
		long[] cpuNanos = new long[threads];
		long[] cpuOperations = new long[threads];
		ThreadMXBean threadCpu = ManagementFactory.getThreadMXBean();
		boolean cpuMeasured = threadCpu.isCurrentThreadCpuTimeSupported() && threadCpu.isThreadCpuTimeEnabled();
		Throwable[] failure = new Throwable[1];
		CountDownLatch done = new CountDownLatch(threads);
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int index = t;
			long[] latencies = new long[1 << 16];
			samples.add(latencies);
			Thread worker = new Thread(() -> {
				long[] buffer = latencies;
				int count = 0;
				long cpuAtOpen = -1;
				long operationsInWindow = 0;
				try {
					while (!stop.get()) {
						// the CPU window runs from the first operation begun in the measured window to the first one
						// begun after it, so that it holds exactly the operations it counts
						boolean inWindow = measuring.get();
						if (cpuMeasured && inWindow && cpuAtOpen < 0) {
							cpuAtOpen = threadCpu.getCurrentThreadCpuTime();
						}
						else if (cpuMeasured && !inWindow && cpuAtOpen >= 0 && cpuNanos[index] == 0) {
							cpuNanos[index] = Math.max(1, threadCpu.getCurrentThreadCpuTime() - cpuAtOpen);
							cpuOperations[index] = operationsInWindow;
						}
						if (inWindow) {
							operationsInWindow++;
						}
						long start = System.nanoTime();
						operation.run(sequence.incrementAndGet());
						long elapsed = System.nanoTime() - start;
						if (measuring.get()) {
							if (count == buffer.length) {
								buffer = Arrays.copyOf(buffer, buffer.length * 2);
							}
							buffer[count++] = elapsed;
						}
					}
				}
				catch (Throwable ex) {
					failure[0] = ex;
				}
				finally {
					if (cpuAtOpen >= 0 && cpuNanos[index] == 0) {
						// stopped before beginning an operation after the window: the last one counted has ended
						cpuNanos[index] = Math.max(1, threadCpu.getCurrentThreadCpuTime() - cpuAtOpen);
						cpuOperations[index] = operationsInWindow;
					}
					samples.set(index, buffer);
					counts[index] = count;
					done.countDown();
				}
			}, "load-" + t);
			worker.setDaemon(true);
			workers.add(worker);
		}
		workers.forEach(Thread::start);
		Thread.sleep(warmup.toMillis());
		window.opened();
		measuring.set(true);
		long start = System.nanoTime();
		Thread.sleep(measure.toMillis());
		measuring.set(false);
		long elapsed = System.nanoTime() - start;
		window.closed();
		stop.set(true);
		done.await();
		if (failure[0] != null) {
			throw new IllegalStateException("Load failed", failure[0]);
		}
		int total = Arrays.stream(counts).sum();
		long[] all = new long[total];
		int offset = 0;
		for (int t = 0; t < threads; t++) {
			System.arraycopy(samples.get(t), 0, all, offset, counts[t]);
			offset += counts[t];
		}
		Arrays.sort(all);
		double seconds = elapsed / 1e9;
		long cpuTotal = Arrays.stream(cpuNanos).sum();
		long cpuCount = Arrays.stream(cpuOperations).sum();
		double cpuPerOperation = (cpuMeasured && cpuCount > 0) ? cpuTotal / 1e3 / cpuCount : Double.NaN;
		return new LoadResult(total / seconds, percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3,
				cpuPerOperation);
	}

	private static double percentile(long[] sorted, double fraction) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		return sorted[Math.min(sorted.length - 1, (int) Math.floor(fraction * sorted.length))];
	}

}
