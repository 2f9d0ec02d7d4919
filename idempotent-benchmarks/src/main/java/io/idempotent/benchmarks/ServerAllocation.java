package io.idempotent.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap allocated by every thread of this JVM except the load generator's ({@code load-*}) between two moments:
 * the server side of an HTTP measurement (Tomcat's workers, the store client's I/O threads), read from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}. Threads that end in between are lost; idle
 * background threads add a little noise, the same on both sides of a row.
 */
final class ServerAllocation {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private ServerAllocation() {
	}

	static Map<Long, Long> snapshot() {
		long[] ids = THREADS.getAllThreadIds();
		long[] bytes = THREADS.getThreadAllocatedBytes(ids);
		ThreadInfo[] infos = THREADS.getThreadInfo(ids);
		Map<Long, Long> snapshot = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			if (infos[i] != null && !infos[i].getThreadName().startsWith("load-") && bytes[i] >= 0) {
				snapshot.put(ids[i], bytes[i]);
			}
		}
		return snapshot;
	}

	static long since(Map<Long, Long> before) {
		long total = 0;
		for (Map.Entry<Long, Long> after : snapshot().entrySet()) {
			total += after.getValue() - before.getOrDefault(after.getKey(), 0L);
		}
		return total;
	}

}
