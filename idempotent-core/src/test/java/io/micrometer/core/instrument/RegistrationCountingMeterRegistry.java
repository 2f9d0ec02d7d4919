package io.micrometer.core.instrument;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A registry that counts every registration attempt of a counter or timer, a meter already registered included
 * ({@code Counter.builder(...).register(registry)} looks it up again through the registry's package-private
 * {@code counter(Id)} / {@code timer(Id, ...)}, which only a class of this package can count). Meters are made
 * by a {@link SimpleMeterRegistry}. For tests proving that the guard registers its meters once, not per call.
 */
public class RegistrationCountingMeterRegistry extends MeterRegistry {

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final AtomicInteger registrations = new AtomicInteger();

	private final AtomicInteger created = new AtomicInteger();

	public RegistrationCountingMeterRegistry() {
		super(Clock.SYSTEM);
	}

	/**
	 * Counter and timer registration attempts so far (new or found).
	 * @return the count
	 */
	public int registrations() {
		return this.registrations.get();
	}

	/**
	 * Counters and timers created so far.
	 * @return the count
	 */
	public int created() {
		return this.created.get();
	}

	@Override
	Counter counter(Meter.Id id) {
		this.registrations.incrementAndGet();
		return super.counter(id);
	}

	@Override
	Timer timer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig, PauseDetector pauseDetector) {
		this.registrations.incrementAndGet();
		return super.timer(id, distributionStatisticConfig, pauseDetector);
	}

	@Override
	protected Counter newCounter(Meter.Id id) {
		this.created.incrementAndGet();
		return this.meters.newCounter(id);
	}

	@Override
	protected Timer newTimer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig,
			PauseDetector pauseDetector) {
		this.created.incrementAndGet();
		return this.meters.newTimer(id, distributionStatisticConfig, pauseDetector);
	}

	@Override
	protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
		return this.meters.newGauge(id, obj, valueFunction);
	}

	@Override
	protected DistributionSummary newDistributionSummary(Meter.Id id,
			DistributionStatisticConfig distributionStatisticConfig, double scale) {
		return this.meters.newDistributionSummary(id, distributionStatisticConfig, scale);
	}

	@Override
	protected Meter newMeter(Meter.Id id, Meter.Type type, Iterable<Measurement> measurements) {
		return this.meters.newMeter(id, type, measurements);
	}

	@Override
	protected <T> FunctionTimer newFunctionTimer(Meter.Id id, T obj, ToLongFunction<T> countFunction,
			ToDoubleFunction<T> totalTimeFunction, TimeUnit totalTimeFunctionUnit) {
		return this.meters.newFunctionTimer(id, obj, countFunction, totalTimeFunction, totalTimeFunctionUnit);
	}

	@Override
	protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> countFunction) {
		return this.meters.newFunctionCounter(id, obj, countFunction);
	}

	@Override
	protected TimeUnit getBaseTimeUnit() {
		return this.meters.getBaseTimeUnit();
	}

	@Override
	protected DistributionStatisticConfig defaultHistogramConfig() {
		return this.meters.defaultHistogramConfig();
	}

}
