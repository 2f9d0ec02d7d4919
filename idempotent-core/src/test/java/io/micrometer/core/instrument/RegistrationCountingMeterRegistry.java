package io.micrometer.core.instrument;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A registry that counts every registration attempt of a counter or timer, a meter already registered included
 * ({@code Counter.builder(...).register(registry)} looks it up again): the builders reach the registry through
 * its package-private {@code counter(Id)} / {@code timer(Id, ...)}, which only a class of this package can
 * count. For tests proving that the guard registers its meters once, not per call.
 */
public class RegistrationCountingMeterRegistry extends SimpleMeterRegistry {

	private final AtomicInteger registrations = new AtomicInteger();

	private final AtomicInteger created = new AtomicInteger();

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
		return super.newCounter(id);
	}

	@Override
	protected Timer newTimer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig,
			PauseDetector pauseDetector) {
		this.created.incrementAndGet();
		return super.newTimer(id, distributionStatisticConfig, pauseDetector);
	}

}
