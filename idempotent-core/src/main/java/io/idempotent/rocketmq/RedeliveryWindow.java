package io.idempotent.rocketmq;

import java.time.Duration;

import org.apache.rocketmq.spring.annotation.ConsumeMode;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;

/**
 * How often, and over how long, a broker redelivers a message a CONCURRENTLY listener refused, with the
 * broker's default delay levels ({@code 1s 5s 10s 30s 1m 2m ... 20m 30m 1h 2h}; a refusal after {@code n}
 * earlier ones waits level {@code 3 + n}). ORDERLY listeners are retried in place, without a window.
 *
 * @param maxReconsumeTimes how many redeliveries before the dead-letter queue
 * @param window the total delay of those redeliveries (with default broker delay levels)
 */
record RedeliveryWindow(int maxReconsumeTimes, Duration window) {

	/** rocketmq-client's default for CONCURRENTLY listeners. */
	static final int DEFAULT_MAX_RECONSUME_TIMES = 16;

	private static final long[] DELAY_LEVEL_SECONDS = { 1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540,
			600, 1200, 1800, 3600, 7200 };

	static RedeliveryWindow of(RocketMQMessageListener listener) {
		int configured = listener.maxReconsumeTimes();
		if (listener.consumeMode() == ConsumeMode.ORDERLY) {
			return new RedeliveryWindow((configured < 0) ? Integer.MAX_VALUE : configured, null);
		}
		int max = (configured < 0) ? DEFAULT_MAX_RECONSUME_TIMES : configured;
		long seconds = 0;
		for (int i = 0; i < max; i++) {
			seconds += DELAY_LEVEL_SECONDS[Math.min(3 + i, DELAY_LEVEL_SECONDS.length) - 1];
		}
		return new RedeliveryWindow(max, Duration.ofSeconds(seconds));
	}

	/**
	 * Whether a delivery that has been redelivered this many times is the last before the dead-letter queue.
	 * @param reconsumeTimes the message's reconsume times
	 * @return true on the last chance
	 */
	boolean lastChance(int reconsumeTimes) {
		return reconsumeTimes >= this.maxReconsumeTimes - 1;
	}

}
