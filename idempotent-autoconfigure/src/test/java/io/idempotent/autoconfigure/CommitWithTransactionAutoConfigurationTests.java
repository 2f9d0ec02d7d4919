package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.idempotent.annotation.Idempotent;

/**
 * Commit-with-transaction through the auto-configuration: switched on by the annotation or by a property, the
 * handler's JdbcTemplate writes and the completion commit together; refused at start-up, saying why, on a
 * store other than JDBC, without a transaction manager, or with one on another DataSource.
 */
class CommitWithTransactionAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class,
				IdempotentAutoConfiguration.class));

	@Test
	void anAnnotatedHandlersWritesAndItsCompletionCommitTogether() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class,
				CouponsConfiguration.class).run((context) -> {
					assertThat(context).hasNotFailed();
					Coupons coupons = context.getBean(Coupons.class);
					assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
					assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
					assertThat(coupons.count("order-1")).isEqualTo(1);
					assertThatThrownBy(() -> coupons.issue("order-2", true)).hasMessage("boom");
					assertThat(coupons.count("order-2")).as("rolled back with the released claim").isZero();
					assertThat(coupons.issue("order-2", false)).isEqualTo("coupon-order-2");
					assertThat(coupons.count("order-2")).isEqualTo(1);
				});
	}

	@Test
	void thePropertySwitchesItOnForAnOperation() {
		this.runner
			.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class,
					PlainCouponsConfiguration.class)
			.withPropertyValues("idempotent.handlers.[PlainCoupons.issue].commit-with-transaction=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PlainCoupons coupons = context.getBean(PlainCoupons.class);
				assertThatThrownBy(() -> coupons.issue("order-1", true)).hasMessage("boom");
				assertThat(coupons.count("order-1")).isZero();
			});
		this.runner
			.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class,
					PlainCouponsConfiguration.class)
			.run((context) -> {
				PlainCoupons coupons = context.getBean(PlainCoupons.class);
				assertThatThrownBy(() -> coupons.issue("order-1", true)).hasMessage("boom");
				assertThat(coupons.count("order-1")).as("the default: the handler's auto-committed write stays")
					.isEqualTo(1);
			});
	}

	@Test
	void aHandlerWhoseOwnTransactionTakesItsWritesOutOfTheGuardsIsRefusedAtStartUp() {
		// NOT_SUPPORTED suspends the guard's transaction (the writes auto-commit), REQUIRES_NEW commits them in a
		// transaction of their own before the completion, NEVER fails every call: none can be exactly-once
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class)
			.withBean(NotSupportedCoupons.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("NotSupportedCoupons.issue")
				.hasMessageContaining("NOT_SUPPORTED"));
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class)
			.withBean(RequiresNewCoupons.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("RequiresNewCoupons.issue")
				.hasMessageContaining("REQUIRES_NEW"));
	}

	@Test
	void anotherStoreIsRefusedAtStartUp() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class,
				CouponsConfiguration.class)
			.withPropertyValues("idempotent.store.type=memory")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("[Coupons.issue] are set to commit-with-transaction")
				.hasMessageContaining("the store is 'memory', not the JDBC store"));
	}

	@Test
	void noTransactionManagerIsRefusedAtStartUp() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, CouponsConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("but no PlatformTransactionManager bean exists"));
	}

	@Test
	void aTransactionManagerOnAnotherDataSourceIsRefusedAtStartUp() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, OtherTransactionsConfiguration.class,
				CouponsConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("does not run its transactions on the idempotency store's DataSource"));
	}

	@Test
	void twoTransactionManagersWithoutAPrimaryOrANameAreRefusedListingThem() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TwoTransactionManagersConfiguration.class,
				CouponsConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("there are 2 PlatformTransactionManager beans [storeTransactions, "
						+ "otherTransactions] and none is primary")
				.hasMessageContaining("idempotent.store.jdbc.transaction-manager"));
	}

	@Test
	void thePropertyNamesTheTransactionManagerAmongSeveral() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TwoTransactionManagersConfiguration.class,
				CouponsConfiguration.class)
			.withPropertyValues("idempotent.store.jdbc.transaction-manager=storeTransactions")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Coupons coupons = context.getBean(Coupons.class);
				assertThatThrownBy(() -> coupons.issue("order-1", true)).hasMessage("boom");
				assertThat(coupons.count("order-1")).as("rolled back by the named manager's transaction").isZero();
				assertThat(coupons.issue("order-1", false)).isEqualTo("coupon-order-1");
				assertThat(coupons.count("order-1")).isEqualTo(1);
			});
	}

	@Test
	void aNamedTransactionManagerOnAnotherDataSourceIsRefused() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TwoTransactionManagersConfiguration.class,
				CouponsConfiguration.class)
			.withPropertyValues("idempotent.store.jdbc.transaction-manager=otherTransactions")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("does not run its transactions on the idempotency store's DataSource"));
	}

	@Test
	void aNamedTransactionManagerThatDoesNotExistIsRefusedListingTheCandidates() {
		this.runner.withUserConfiguration(DatabaseConfiguration.class, TwoTransactionManagersConfiguration.class,
				CouponsConfiguration.class)
			.withPropertyValues("idempotent.store.jdbc.transaction-manager=missing")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("idempotent.store.jdbc.transaction-manager names 'missing', which is not a "
						+ "PlatformTransactionManager bean; the candidates are [storeTransactions, otherTransactions]"));
	}

	@Test
	void anHttpHandlerIsAcceptedAtStartUp() {
		web().withBean(CouponController.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void anHttpHandlerReturningACompletableFutureIsRefusedAtStartUp() {
		web().withBean(FutureCouponController.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("FutureCouponController.issue")
				.hasMessageContaining("returns java.util.concurrent.CompletableFuture, an asynchronous type"));
	}

	@Test
	void anHttpHandlerReturningAMonoIsRefusedAtStartUp() {
		web().withBean(MonoCouponController.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("returns reactor.core.publisher.Mono, an asynchronous type"));
	}

	@Test
	void anHttpHandlerStreamingItsResponseIsRefusedAtStartUp() {
		web().withBean(StreamingCouponController.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("StreamingResponseBody, a streaming or asynchronous response"));
	}

	@Test
	void anHttpHandlerOnAnotherStoreIsStillRefusedAtStartUp() {
		web().withBean(CouponController.class)
			.withPropertyValues("idempotent.store.type=memory")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("not the JDBC store"));
	}

	private org.springframework.boot.test.context.runner.WebApplicationContextRunner web() {
		return new org.springframework.boot.test.context.runner.WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(IdempotentStoreAutoConfiguration.class,
					IdempotentWebAutoConfiguration.class, IdempotentAutoConfiguration.class))
			.withUserConfiguration(DatabaseConfiguration.class, TransactionsConfiguration.class);
	}

	/** An HTTP handler asking for the mode. */
	@org.springframework.web.bind.annotation.RestController
	static class CouponController {

		@org.springframework.web.bind.annotation.PostMapping("/coupons")
		@Idempotent(commitWithTransaction = true)
		public String issue() {
			return "issued";
		}

	}

	/** An HTTP handler asking for the mode whose response completes on another thread. */
	@org.springframework.web.bind.annotation.RestController
	static class FutureCouponController {

		@org.springframework.web.bind.annotation.PostMapping("/coupons")
		@Idempotent(commitWithTransaction = true)
		public java.util.concurrent.CompletableFuture<String> issue() {
			return java.util.concurrent.CompletableFuture.supplyAsync(() -> "issued");
		}

	}

	/** An HTTP handler asking for the mode that streams its response. */
	@org.springframework.web.bind.annotation.RestController
	static class StreamingCouponController {

		@org.springframework.web.bind.annotation.PostMapping("/coupons")
		@Idempotent(commitWithTransaction = true)
		public org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody issue() {
			return (out) -> out.write("issued".getBytes());
		}

	}

	/** An HTTP handler asking for the mode with a reactive return type. */
	@org.springframework.web.bind.annotation.RestController
	static class MonoCouponController {

		@org.springframework.web.bind.annotation.PostMapping("/coupons")
		@Idempotent(commitWithTransaction = true)
		public reactor.core.publisher.Mono<String> issue() {
			return reactor.core.publisher.Mono.just("issued");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DatabaseConfiguration {

		@Bean
		DataSource dataSource() {
			return h2("tx-autoconfig-");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TransactionsConfiguration {

		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoTransactionManagersConfiguration {

		@Bean
		PlatformTransactionManager storeTransactions(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

		@Bean
		PlatformTransactionManager otherTransactions() {
			return new DataSourceTransactionManager(h2("tx-other-"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OtherTransactionsConfiguration {

		@Bean
		PlatformTransactionManager transactionManager() {
			return new DataSourceTransactionManager(h2("tx-other-"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CouponsConfiguration {

		@Bean
		Coupons coupons(DataSource dataSource) {
			return new Coupons(dataSource);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainCouponsConfiguration {

		@Bean
		PlainCoupons plainCoupons(DataSource dataSource) {
			return new PlainCoupons(dataSource);
		}

	}

	static DataSource h2(String prefix) {
		return new SimpleDriverDataSource(new org.h2.Driver(),
				"jdbc:h2:mem:" + prefix + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
	}

	/** A handler whose own transaction (TransactionTemplate, as {@code @Transactional}) joins the guard's. */
	static class Coupons {

		final JdbcTemplate jdbc;

		Coupons(DataSource dataSource) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.jdbc.execute("CREATE TABLE IF NOT EXISTS coupon (order_id VARCHAR(64))");
		}

		@Idempotent(key = "#orderId", name = "Coupons.issue", commitWithTransaction = true)
		public String issue(String orderId, boolean fail) {
			TransactionTemplate own = new TransactionTemplate(
					new DataSourceTransactionManager(this.jdbc.getDataSource()));
			return own.execute((status) -> {
				this.jdbc.update("INSERT INTO coupon (order_id) VALUES (?)", orderId);
				if (fail) {
					throw new IllegalStateException("boom");
				}
				return "coupon-" + orderId;
			});
		}

		int count(String orderId) {
			return this.jdbc.queryForObject("SELECT COUNT(*) FROM coupon WHERE order_id = ?", Integer.class, orderId);
		}

	}

	/** A handler writing with a bare JdbcTemplate. */
	static class PlainCoupons {

		final JdbcTemplate jdbc;

		PlainCoupons(DataSource dataSource) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.jdbc.execute("CREATE TABLE IF NOT EXISTS coupon (order_id VARCHAR(64))");
		}

		@Idempotent(key = "#orderId")
		public String issue(String orderId, boolean fail) {
			this.jdbc.update("INSERT INTO coupon (order_id) VALUES (?)", orderId);
			if (fail) {
				throw new IllegalStateException("boom");
			}
			return "coupon-" + orderId;
		}

		int count(String orderId) {
			return this.jdbc.queryForObject("SELECT COUNT(*) FROM coupon WHERE order_id = ?", Integer.class, orderId);
		}

	}

	/** A handler whose own transaction runs without the guard's (writes auto-committed). */
	static class NotSupportedCoupons {

		@Idempotent(key = "#orderId", commitWithTransaction = true)
		@org.springframework.transaction.annotation.Transactional(
				propagation = org.springframework.transaction.annotation.Propagation.NOT_SUPPORTED)
		public String issue(String orderId) {
			return "coupon-" + orderId;
		}

	}

	/** A handler whose class-level transaction commits on its own, before the guard's. */
	@org.springframework.transaction.annotation.Transactional(
			propagation = org.springframework.transaction.annotation.Propagation.REQUIRES_NEW)
	static class RequiresNewCoupons {

		@Idempotent(key = "#orderId", commitWithTransaction = true)
		public String issue(String orderId) {
			return "coupon-" + orderId;
		}

	}

}
