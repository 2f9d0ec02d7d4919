package io.idempotent.benchmarks;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.hook.ConsumeMessageContext;
import org.apache.rocketmq.client.hook.ConsumeMessageHook;

/**
 * Times one consumer draining a backlog, counting the messages it acknowledged (a consume hook on the push
 * consumer: the same for a guarded and an unguarded listener; a delivery the guard refused and that comes back
 * counts once, when it is acknowledged). The first tenth of the backlog is left out of the rate, so the figure
 * is the steady state, not the ramp-up of the consumer's pulls.
 */
final class BacklogDrain implements ConsumeMessageHook {

	private final DefaultMQPushConsumer consumer;

	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong steadyNanos = new AtomicLong();

	private volatile long target = Long.MAX_VALUE;

	private volatile long skip;

	private volatile long endNanos;

	private volatile CountDownLatch done = new CountDownLatch(1);

	BacklogDrain(DefaultMQPushConsumer consumer) {
		this.consumer = consumer;
		consumer.suspend();
		consumer.getDefaultMQPushConsumerImpl().registerConsumeMessageHook(this);
	}

	/**
	 * Starts counting for a backlog of {@code messages}, before it is produced: a pull the consumer issued before
	 * it was suspended may still be answered with the first messages.
	 */
	void arm(long messages) {
		this.acknowledged.set(0);
		this.steadyNanos.set(0);
		this.endNanos = 0;
		this.skip = messages / 10;
		this.done = new CountDownLatch(1);
		this.target = messages;
	}

	/** Resumes the consumer on the backlog {@link #arm armed} for, waits until all of it is acknowledged. */
	Drained drain(Duration timeout) throws InterruptedException {
		long messages = this.target;
		long start = System.nanoTime();
		this.consumer.resume();
		try {
			if (!this.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Only " + this.acknowledged.get() + " of " + messages
						+ " messages acknowledged within " + timeout);
			}
		}
		finally {
			this.consumer.suspend();
			this.target = Long.MAX_VALUE;
		}
		double seconds = (this.endNanos - this.steadyNanos.get()) / 1e9;
		return new Drained((messages - this.skip) / seconds, (this.endNanos - start) / 1e9, seconds);
	}

	@Override
	public String hookName() {
		return "benchmark-drain";
	}

	@Override
	public void consumeMessageBefore(ConsumeMessageContext context) {
	}

	@Override
	public void consumeMessageAfter(ConsumeMessageContext context) {
		if (!context.isSuccess()) {
			return;
		}
		long count = this.acknowledged.addAndGet(context.getMsgList().size());
		long now = System.nanoTime();
		if (count >= this.skip) {
			this.steadyNanos.compareAndSet(0, now);
		}
		if (count >= this.target && this.endNanos == 0) {
			this.endNanos = now;
			this.done.countDown();
		}
	}

	/**
	 * One drained backlog.
	 *
	 * @param perSecond messages acknowledged per second in the steady state
	 * @param totalSeconds from resuming the consumer to the last acknowledgement
	 * @param measuredSeconds the steady-state window the rate is taken over
	 */
	record Drained(double perSecond, double totalSeconds, double measuredSeconds) {
	}

}
