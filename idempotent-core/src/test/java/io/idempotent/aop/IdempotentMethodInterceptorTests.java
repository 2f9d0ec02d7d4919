package io.idempotent.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.autoproxy.DefaultAdvisorAutoProxyCreator;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.beans.factory.config.BeanDefinition;

import io.idempotent.annotation.Idempotent;
import io.idempotent.codec.JacksonResultCodec;
import io.idempotent.core.IdempotencyConfigurationException;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.core.IdempotencyKeyException;
import io.idempotent.core.IdempotencyResultUnavailableException;
import io.idempotent.core.IdempotencySettingsResolver;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

class IdempotentMethodInterceptorTests {

	private AnnotationConfigApplicationContext context;

	private Orders orders;

	@BeforeEach
	void start() {
		this.context = new AnnotationConfigApplicationContext(GuardConfiguration.class, Orders.class);
		this.orders = this.context.getBean(Orders.class);
	}

	@AfterEach
	void stop() {
		this.context.close();
	}

	@Test
	void keysByArgumentNameRunOncePerKeyAndReplayTheFirstResult() {
		List<Receipt> first = this.orders.pay(new Order("o-1", 100));
		List<Receipt> second = this.orders.pay(new Order("o-1", 999));
		assertThat(first).containsExactly(new Receipt("o-1", 100));
		assertThat(second).containsExactly(new Receipt("o-1", 100));
		assertThat(second.get(0)).isInstanceOf(Receipt.class);
		assertThat(this.orders.pay(new Order("o-2", 5))).containsExactly(new Receipt("o-2", 5));
		assertThat(this.orders.runs()).hasValue(2);
	}

	@Test
	void keysByPositionAndVoidMethods() {
		this.orders.ship("o-1", "parcel");
		this.orders.ship("o-1", "letter");
		this.orders.notify("o-1");
		this.orders.notify("o-1");
		assertThat(this.orders.runs()).hasValue(2);
	}

	@Test
	void aNullOrBlankKeyIsRejectedNamingTheMethodAndExpressionNotTheArguments() {
		assertThatThrownBy(() -> this.orders.pay(new Order(null, 1))).isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining(Orders.class.getName() + ".pay")
			.hasMessageContaining("'#order.id'")
			.hasMessageContaining("null");
		assertThatThrownBy(() -> this.orders.ship("  ", "secret-address")).isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining("'#p0'")
			.hasMessageContaining("blank")
			.hasMessageNotContaining("secret-address");
		assertThatThrownBy(() -> this.orders.pay(null)).isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining("could not be evaluated");
		assertThat(this.orders.runs()).hasValue(0);
	}

	@Test
	void theMethodsOwnExceptionPropagatesUnchangedAndARetryRuns() {
		assertThatThrownBy(() -> this.orders.refund("o-9", true)).isInstanceOf(IllegalStateException.class)
			.hasMessage("gateway down");
		assertThat(this.orders.refund("o-9", false)).isEqualTo("refunded o-9");
		assertThat(this.orders.refund("o-9", false)).isEqualTo("refunded o-9");
		assertThat(this.orders.runs()).hasValue(2);
	}

	@Test
	void anAnnotatedTypeGuardsEachPublicMethodUnderItsOwnName() {
		Coupons coupons = this.context.getBean(Coupons.class);
		assertThat(coupons.issue("u-1")).isEqualTo(1);
		assertThat(coupons.issue("u-1")).isEqualTo(1);
		assertThat(coupons.revoke("u-1")).isEqualTo(2);
		assertThat(this.context.getBean(IdempotentMethodRegistry.class).methods())
			.extracting((m) -> m.operation().name())
			.contains("coupons.issue", "coupons.revoke", "Orders.pay", "custom-ship");
	}

	@Test
	void sixtyFourThreadsCallingWithOneKeyRunTheMethodOnce() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(64);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<String>> outcomes = new ArrayList<>();
		for (int i = 0; i < 64; i++) {
			outcomes.add(executor.submit(() -> {
				start.await();
				try {
					return this.orders.slowCapture("race");
				}
				catch (IdempotencyInProgressException ex) {
					return "in-progress";
				}
			}));
		}
		start.countDown();
		// the one call that claimed the key holds it until every other call has been refused
		await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.stream().filter(Future::isDone).count() == 63);
		this.orders.openCaptureGate();
		for (Future<String> outcome : outcomes) {
			assertThat(outcome.get(10, TimeUnit.SECONDS)).isIn("captured race", "in-progress");
		}
		assertThat(outcomes.stream().map(this::outcome)).containsOnlyOnce("captured race");
		assertThat(this.orders.runs()).hasValue(1);
		executor.shutdown();
	}

	@Test
	void anExpressionThatDoesNotParseFailsStartUpNamingTheMethod() {
		assertThatThrownBy(() -> new AnnotationConfigApplicationContext(GuardConfiguration.class, BadExpression.class))
			.isInstanceOf(BeanCreationException.class)
			.rootCause()
			.isInstanceOf(IdempotencyConfigurationException.class)
			.hasMessageContaining(BadExpression.class.getName() + ".handle")
			.hasMessageContaining("'#order.'");
	}

	@Test
	void aPlainMethodWithoutAKeyFailsStartUp() {
		assertThatThrownBy(() -> new AnnotationConfigApplicationContext(GuardConfiguration.class, NoKey.class))
			.rootCause()
			.isInstanceOf(IdempotencyConfigurationException.class)
			.hasMessageContaining(NoKey.class.getName() + ".handle")
			.hasMessageContaining("no key expression");
	}

	@Test
	void anAsynchronousReturnTypeFailsStartUp() {
		assertThatThrownBy(() -> new AnnotationConfigApplicationContext(GuardConfiguration.class, AsyncReturn.class))
			.rootCause()
			.isInstanceOf(IdempotencyConfigurationException.class)
			.hasMessageContaining("asynchronous");
	}

	@Test
	void reactiveReturnTypesFailStartUp() {
		for (Class<?> type : List.of(MonoReturn.class, FluxReturn.class)) {
			assertThatThrownBy(() -> new AnnotationConfigApplicationContext(GuardConfiguration.class, type))
				.as(type.getSimpleName())
				.rootCause()
				.isInstanceOf(IdempotencyConfigurationException.class)
				.hasMessageContaining(type.getName() + ".handle")
				.hasMessageContaining("asynchronous");
		}
	}

	@Test
	void twoMethodsWithTheSameDefaultOperationNameFailStartUp() {
		assertThatThrownBy(() -> new AnnotationConfigApplicationContext(GuardConfiguration.class,
				TeamA.Payments.class, TeamB.Payments.class))
			.rootCause()
			.isInstanceOf(IdempotencyConfigurationException.class)
			.hasMessageContaining("'Payments.pay'")
			.hasMessageContaining(TeamA.Payments.class.getName() + ".pay")
			.hasMessageContaining(TeamB.Payments.class.getName() + ".pay");
	}

	@Test
	void twoMethodsMayShareAnExplicitOperationNameOnPurpose() {
		try (AnnotationConfigApplicationContext shared = new AnnotationConfigApplicationContext(
				GuardConfiguration.class, TeamA.Refunds.class, TeamB.Refunds.class)) {
			shared.getBean(TeamA.Refunds.class).refund("r-1");
			shared.getBean(TeamB.Refunds.class).refund("r-1");
			assertThat(TeamA.Refunds.RUNS.get() + TeamB.Refunds.RUNS.get()).isEqualTo(1);
		}
	}

	@Test
	void aResultTheCodecCannotEncodeIsNeverReplayedAsADifferentAnswer() {
		assertThat(this.orders.lazyTicket("t-1").id()).isEqualTo("t-1");
		assertThatThrownBy(() -> this.orders.lazyTicket("t-1"))
			.isInstanceOf(IdempotencyResultUnavailableException.class)
			.hasMessageContaining("'Orders.lazyTicket'")
			.hasMessageNotContaining("t-1");
		assertThat(this.orders.runs()).hasValue(1);
	}

	private String outcome(Future<String> future) {
		try {
			return future.get();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static class GuardConfiguration {

		@Bean
		static DefaultAdvisorAutoProxyCreator autoProxyCreator() {
			return new DefaultAdvisorAutoProxyCreator();
		}

		@Bean
		static IdempotentMethodScanner idempotentMethodScanner(
				org.springframework.beans.factory.ObjectProvider<IdempotentMethodRegistry> registry) {
			return new IdempotentMethodScanner(registry::getObject);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		IdempotentMethodRegistry idempotentMethodRegistry() {
			return new IdempotentMethodRegistry(IdempotencySettingsResolver.DEFAULTS, List.of());
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		IdempotencyEngine idempotencyEngine() {
			return new IdempotencyEngine(new InMemoryIdempotencyStore());
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		IdempotentAdvisor idempotentAdvisor(IdempotencyEngine engine, IdempotentMethodRegistry registry) {
			return new IdempotentAdvisor(new IdempotentMethodInterceptor(engine, registry, new JacksonResultCodec()));
		}

		@Bean
		Coupons coupons() {
			return new Coupons();
		}

	}

	record Order(String id, int amount) {
	}

	record Receipt(String orderId, int amount) {
	}

	static class Orders {

		private final AtomicInteger runs = new AtomicInteger();

		AtomicInteger runs() {
			return this.runs;
		}

		@Idempotent(key = "#order.id")
		public List<Receipt> pay(Order order) {
			this.runs.incrementAndGet();
			return List.of(new Receipt(order.id(), order.amount()));
		}

		@Idempotent(key = "#p0", name = "custom-ship")
		public void ship(String orderId, String address) {
			this.runs.incrementAndGet();
		}

		@Idempotent(key = "#a0 + ':notified'")
		public void notify(String orderId) {
			this.runs.incrementAndGet();
		}

		@Idempotent(key = "#p0")
		public Ticket lazyTicket(String id) {
			this.runs.incrementAndGet();
			return new Ticket(id);
		}

		@Idempotent(key = "#orderId")
		public String refund(String orderId, boolean fail) {
			this.runs.incrementAndGet();
			if (fail) {
				throw new IllegalStateException("gateway down");
			}
			return "refunded " + orderId;
		}

		private final CountDownLatch captureGate = new CountDownLatch(1);

		public void openCaptureGate() {
			this.captureGate.countDown();
		}

		@Idempotent(key = "#id")
		public String slowCapture(String id) throws InterruptedException {
			this.runs.incrementAndGet();
			this.captureGate.await(10, TimeUnit.SECONDS);
			return "captured " + id;
		}

	}

	@Idempotent(key = "#p0", name = "coupons")
	static class Coupons {

		private final AtomicInteger issued = new AtomicInteger();

		public int issue(String userId) {
			return this.issued.incrementAndGet();
		}

		public int revoke(String userId) {
			return this.issued.incrementAndGet();
		}

	}

	static class BadExpression {

		@Idempotent(key = "#order.")
		public void handle(Order order) {
		}

	}

	static class NoKey {

		@Idempotent
		public void handle(Order order) {
		}

	}

	static class MonoReturn {

		@Idempotent(key = "#p0")
		public reactor.core.publisher.Mono<String> handle(String id) {
			return reactor.core.publisher.Mono.just(id);
		}

	}

	static class FluxReturn {

		@Idempotent(key = "#p0")
		public reactor.core.publisher.Flux<String> handle(String id) {
			return reactor.core.publisher.Flux.just(id);
		}

	}

	static class TeamA {

		static class Payments {

			@Idempotent(key = "#p0")
			public void pay(String id) {
			}

		}

		static class Refunds {

			static final AtomicInteger RUNS = new AtomicInteger();

			@Idempotent(key = "#p0", name = "refunds")
			public void refund(String id) {
				RUNS.incrementAndGet();
			}

		}

	}

	static class TeamB {

		static class Payments {

			@Idempotent(key = "#p0")
			public void pay(String id) {
			}

		}

		static class Refunds {

			static final AtomicInteger RUNS = new AtomicInteger();

			@Idempotent(key = "#p0", name = "refunds")
			public void refund(String id) {
				RUNS.incrementAndGet();
			}

		}

	}

	/** A value whose getter fails once it is detached, like a lazy JPA association. */
	static class Ticket {

		private final String id;

		Ticket(String id) {
			this.id = id;
		}

		public String id() {
			return this.id;
		}

		public String getId() {
			return this.id;
		}

		public String getHolder() {
			throw new IllegalStateException("could not initialize proxy - no Session");
		}

	}

	static class AsyncReturn {

		@Idempotent(key = "#p0")
		public java.util.concurrent.CompletableFuture<String> handle(String id) {
			return null;
		}

	}

}
