package io.idempotent.autoconfigure.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;

import io.idempotent.annotation.Idempotent;
import io.idempotent.autoconfigure.IdempotentAutoConfiguration;
import io.idempotent.autoconfigure.IdempotentStoreAutoConfiguration;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencyLeaseLostException;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;

/**
 * Commit-with-transaction with a Spring Data JPA / Hibernate handler under Boot's own JPA auto-configuration
 * ({@link JpaTransactionManager}): the handler's {@code @Transactional} joins the guard's transaction, the
 * entity (flushed by Hibernate at commit) and the completion commit together, a failure or a lost lease
 * leaves no coupon.
 */
class CommitWithTransactionJpaTests {

	/** The table of the idempotency records. */
	protected String table() {
		return "idempotency_record";
	}

	/** Boot's JPA stack on an in-memory H2 database; subclasses point it at a real server. */
	protected ApplicationContextRunner runner() {
		return this.runner;
	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(
				org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration.class,
				org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration.class,
				org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration.class,
				org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration.class,
				IdempotentStoreAutoConfiguration.class, IdempotentAutoConfiguration.class))
		.withUserConfiguration(JpaConfiguration.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:jpa-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"spring.jpa.hibernate.ddl-auto=create-drop");

	@Test
	void anEntitySavedByAJpaHandlerAndTheCompletionCommitTogether() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(JpaTransactionManager.class);
			JpaCoupons coupons = context.getBean(JpaCoupons.class);
			CouponRepository repository = context.getBean(CouponRepository.class);
			assertThat(coupons.issue("order-1", (id) -> { })).isEqualTo("issued order-1");
			assertThat(coupons.issue("order-1", (id) -> { })).isEqualTo("issued order-1");
			assertThat(repository.countByOrderId("order-1")).isEqualTo(1);
			assertThatThrownBy(() -> coupons.issue("order-2", (id) -> {
				throw new IllegalStateException("boom");
			})).hasMessage("boom");
			assertThat(repository.countByOrderId("order-2")).isZero();
			assertThat(coupons.issue("order-2", (id) -> { })).isEqualTo("issued order-2");
			assertThat(repository.countByOrderId("order-2")).isEqualTo(1);
			assertThat(new JdbcTemplate(context.getBean(javax.sql.DataSource.class))
				.queryForObject("SELECT COUNT(*) FROM " + table() + " WHERE state = 'COMPLETED'", Integer.class))
				.isEqualTo(2);
		});
	}

	@Test
	void aLeaseLostBeforeTheCommitRollsTheEntityBack() {
		runner().run((context) -> {
			JpaCoupons coupons = context.getBean(JpaCoupons.class);
			CouponRepository repository = context.getBean(CouponRepository.class);
			JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
			assertThatThrownBy(() -> coupons.issue("order-3", (id) -> {
				// another worker takes the key over while this transaction is open (outside it)
				Thread other = new Thread(() -> {
					jdbc.update("UPDATE " + table() + " SET expires_at = created_at WHERE state = 'PROCESSING'");
					assertThat(store.tryAcquire(new IdempotencyKey("JpaCoupons.issue", "order-3"), Duration.ofMinutes(1))
						.status()).isEqualTo(AcquireResult.Status.ACQUIRED);
				});
				other.start();
				try {
					other.join();
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			})).isInstanceOf(IdempotencyLeaseLostException.class);
			assertThat(repository.countByOrderId("order-3")).isZero();
			assertThatThrownBy(() -> coupons.issue("order-3", (id) -> { }))
				.isInstanceOf(IdempotencyInProgressException.class);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class JpaConfiguration {

		@Bean
		JpaCoupons jpaCoupons(CouponRepository repository) {
			return new JpaCoupons(repository);
		}

	}

	/** A guarded JPA handler with its own {@code @Transactional}. */
	static class JpaCoupons {

		private final CouponRepository repository;

		JpaCoupons(CouponRepository repository) {
			this.repository = repository;
		}

		@Idempotent(key = "#orderId", name = "JpaCoupons.issue", commitWithTransaction = true)
		@Transactional
		public String issue(String orderId, Consumer<String> during) {
			this.repository.save(new Coupon(UUID.randomUUID().toString(), orderId));
			during.accept(orderId);
			return "issued " + orderId;
		}

	}

}
