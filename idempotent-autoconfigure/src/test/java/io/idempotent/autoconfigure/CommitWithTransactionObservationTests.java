package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.idempotent.autoconfigure.CommitWithTransactionAutoConfigurationTests.Coupons;
import io.idempotent.autoconfigure.CommitWithTransactionAutoConfigurationTests.CouponsConfiguration;
import io.idempotent.autoconfigure.CommitWithTransactionAutoConfigurationTests.DatabaseConfiguration;
import io.idempotent.autoconfigure.CommitWithTransactionAutoConfigurationTests.TransactionsConfiguration;
import io.idempotent.autoconfigure.observation.TracingTestConfiguration;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreDecorator;

/**
 * Commit-with-transaction under tracing and metrics: the completion written in the handler's transaction carries
 * the trace id like any other completion, so a replay names the call that did the work, and it is timed
 * ({@code idempotent.store.operations}) and observed ({@code idempotent.store}) like every other store call.
 */
class CommitWithTransactionObservationTests {

	/** An application's store decorator written before the SPI had completeInCurrentTransaction. */
	record Auditing(IdempotencyStore delegate) implements IdempotencyStore {

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
			return this.delegate.tryAcquire(key, lease);
		}

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease, byte[] fingerprint) {
			return this.delegate.tryAcquire(key, lease, fingerprint);
		}

		@Override
		public int maxResultSize() {
			return this.delegate.maxResultSize();
		}

		@Override
		public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
			return this.delegate.complete(key, token, result, retention);
		}

		@Override
		public boolean release(IdempotencyKey key, String token) {
			return this.delegate.release(key, token);
		}

		@Override
		public boolean renew(IdempotencyKey key, String token, Duration lease) {
			return this.delegate.renew(key, token, lease);
		}

		@Override
		public Optional<IdempotencyRecord> find(IdempotencyKey key) {
			return this.delegate.find(key);
		}

		@Override
		public boolean evict(IdempotencyKey key) {
			return this.delegate.evict(key);
		}

		@Override
		public String type() {
			return this.delegate.type();
		}

	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class,
				IdempotentObservationAutoConfiguration.class, IdempotentMetricsAutoConfiguration.class,
				IdempotentAutoConfiguration.class));

	@Test
	void theCompletionWrittenInTheTransactionIsTimedAndObservedLikeEveryStoreCall() {
		this.runner
			.withUserConfiguration(TracingTestConfiguration.class, DatabaseConfiguration.class,
					TransactionsConfiguration.class, CouponsConfiguration.class)
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Coupons coupons = context.getBean(Coupons.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				Timer completions = meters.get("idempotent.store.operations")
					.tags("store", "jdbc", "operation", "complete", "outcome", "success")
					.timer();
				assertThat(completions.count()).as("the completion statement in the call's transaction").isEqualTo(1);
				SimpleTracer tracer = context.getBean(SimpleTracer.class);
				List<SimpleSpan> spans = TracingTestConfiguration.spans(tracer, "idempotent store complete");
				assertThat(spans).hasSize(1);
				SimpleSpan execution = TracingTestConfiguration.spans(tracer, "idempotent Coupons.issue").get(0);
				assertThat(TracingTestConfiguration.isBelow(tracer, spans.get(0), execution))
					.as("observed inside the call it completes").isTrue();
				// a replay does not complete again
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(completions.count()).isEqualTo(1);
			});
	}

	@Test
	void anApplicationDecoratorThatDoesNotForwardTheCompletionIsNotCountedAsAFailedCompletion() {
		// the application's decorator sits below the timed and observed stores and inherits the SPI's default,
		// which throws: the completion is then written by the undecorated store, and it succeeded, so neither
		// the timer nor the observation may record it as a failed store call
		this.runner
			.withUserConfiguration(TracingTestConfiguration.class, DatabaseConfiguration.class,
					TransactionsConfiguration.class, CouponsConfiguration.class)
			.withBean(SimpleMeterRegistry.class)
			.withBean("auditingDecorator", IdempotencyStoreDecorator.class, () -> Auditing::new)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Coupons coupons = context.getBean(Coupons.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(coupons.count("order-1")).isEqualTo(1);
				assertThat(meters.find("idempotent.store.operations")
					.tags("store", "jdbc", "operation", "complete", "outcome", "error")
					.timer()).satisfiesAnyOf((timer) -> assertThat(timer).isNull(),
							(timer) -> assertThat(timer.count()).isZero());
				SimpleTracer tracer = context.getBean(SimpleTracer.class);
				assertThat(TracingTestConfiguration.spans(tracer, "idempotent store complete"))
					.allSatisfy((span) -> assertThat(span.getError()).isNull());
			});
	}

	@Test
	void aReplayOfACallCommittedWithItsTransactionNamesTheOriginalTrace() {
		this.runner
			.withUserConfiguration(TracingTestConfiguration.class, DatabaseConfiguration.class,
					TransactionsConfiguration.class, CouponsConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Coupons coupons = context.getBean(Coupons.class);
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(coupons.count("order-1")).isEqualTo(1);
				SimpleTracer tracer = context.getBean(SimpleTracer.class);
				List<SimpleSpan> executions = TracingTestConfiguration.spans(tracer, "idempotent Coupons.issue");
				assertThat(executions).hasSize(2);
				SimpleSpan executed = executions.get(0);
				SimpleSpan replayed = executions.get(1);
				assertThat(executed.getTags()).containsEntry("idempotent.outcome", "executed");
				assertThat(replayed.getTags()).containsEntry("idempotent.outcome", "replayed")
					.containsEntry("idempotent.original.trace.id", executed.context().traceId());
			});
	}

}
