package io.idempotent.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.idempotent.core.GuardedCall;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.IdempotentOperation;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * A replayed topic (the same keys again) through the real engine and in-memory store: one INFO summary per
 * interval and operation, never one per duplicate; the per-duplicate lines stay at DEBUG.
 */
class DuplicateSummaryLoggerTests {

	private static final Duration INTERVAL = Duration.ofMinutes(1);

	private final AtomicLong clock = new AtomicLong();

	private final ListAppender<ILoggingEvent> events = new ListAppender<>();

	private final Logger summaryLogger = (Logger) LoggerFactory.getLogger(DuplicateSummaryLogger.class);

	private final Logger engineLogger = (Logger) LoggerFactory.getLogger(IdempotencyEngine.class);

	private final IdempotentOperation coupons = new IdempotentOperation("coupon-service", "rocketmq",
			IdempotencySettings.DEFAULTS);

	private IdempotencyEngine engine;

	@BeforeEach
	void attach() {
		this.events.start();
		this.summaryLogger.addAppender(this.events);
		this.engineLogger.addAppender(this.events);
		this.engineLogger.setLevel(Level.DEBUG);
		this.engine = new IdempotencyEngine(new InMemoryIdempotencyStore(),
				new DuplicateSummaryLogger(INTERVAL, this.clock::get), Duration.ofSeconds(1));
	}

	@AfterEach
	void detach() {
		this.engine.close();
		this.summaryLogger.detachAppender(this.events);
		this.engineLogger.detachAppender(this.events);
		this.engineLogger.setLevel(null);
	}

	@Test
	void fiftyDuplicatesWithinAMinuteGiveOneSummaryNotFiftyInfoLines() throws Throwable {
		for (int i = 0; i < 50; i++) {
			deliver("order-" + i);
		}
		// the offset is rewound: the same fifty messages again, within the minute
		for (int i = 0; i < 50; i++) {
			deliver("order-" + i);
		}
		assertThat(infoLines()).isEmpty();
		assertThat(this.events.list).filteredOn((event) -> event.getLevel() == Level.DEBUG).hasSize(50);

		this.clock.addAndGet(INTERVAL.toNanos());
		deliver("order-0");
		assertThat(infoLines()).containsExactly("coupon-service: 51 duplicates skipped in the last minute "
				+ "(51 of completed calls, 0 of running calls, 0 with a different payload)");

		// the next window starts with that summary: more duplicates within it add no line
		for (int i = 0; i < 20; i++) {
			deliver("order-" + i);
		}
		this.clock.addAndGet(INTERVAL.toNanos() / 2);
		deliver("order-1");
		assertThat(infoLines()).hasSize(1);
		this.clock.addAndGet(INTERVAL.toNanos() / 2);
		deliver("order-2");
		assertThat(infoLines()).hasSize(2).last().asString().startsWith("coupon-service: 22 duplicates skipped");
	}

	@Test
	void aZeroIntervalLogsNoSummary() throws Throwable {
		this.engine.close();
		this.engine = new IdempotencyEngine(new InMemoryIdempotencyStore(),
				new DuplicateSummaryLogger(Duration.ZERO, this.clock::get), Duration.ofSeconds(1));
		deliver("order-1");
		deliver("order-1");
		this.clock.addAndGet(INTERVAL.toNanos() * 5);
		deliver("order-1");
		assertThat(infoLines()).isEmpty();
	}

	private void deliver(String key) throws Throwable {
		this.engine.execute(this.coupons, IdempotencyKey.of("coupon-service", key), new GuardedCall<String>() {

			@Override
			public String proceed() {
				return "coupon";
			}

			@Override
			public byte[] encode(String result) {
				return result.getBytes();
			}

			@Override
			public String replay(byte[] stored) {
				return new String(stored);
			}

		});
	}

	private List<String> infoLines() {
		return this.events.list.stream()
			.filter((event) -> event.getLevel() == Level.INFO)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

}
