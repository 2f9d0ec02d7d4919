package io.idempotent.benchmarks;

/**
 * Throughput and latency of one load measurement.
 *
 * @param opsPerSecond operations completed per second, all threads together
 * @param p50Micros median latency
 * @param p99Micros 99th percentile latency
 */
record LoadResult(double opsPerSecond, double p50Micros, double p99Micros) {
}
