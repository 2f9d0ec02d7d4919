package io.idempotent.benchmarks;

/**
 * Throughput and latency of one load measurement.
 *
 * @param opsPerSecond operations completed per second, all threads together
 * @param p50Micros median latency
 * @param p99Micros 99th percentile latency
 * @param callerCpuMicros CPU time the calling threads spent per operation in the measured window (NaN where the
 * JVM cannot measure thread CPU time): the guard's own work runs there, a server's and an event loop's do not
 */
record LoadResult(double opsPerSecond, double p50Micros, double p99Micros, double callerCpuMicros) {
}
