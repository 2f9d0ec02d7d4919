package io.idempotent.autoconfigure.web.crash;

import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * The application the HTTP crash tests kill: a child JVM serving one guarded controller in
 * commit-with-transaction mode whose effect is one row of the effects table. At the named kill point it prints
 * {@code @@KILLPOINT} and parks until the parent kills it with SIGKILL; it prints {@code @@READY <port>} once it
 * serves requests.
 *
 * <p>A second controller keeps the default mode (separate completion), so the harness is shown to see the
 * duplicate that mode's window allows: killed after its write has committed ({@code separate-after-commit}).
 *
 * <p>Arguments: JDBC URL, user, password ({@code -} for none), idempotency table, effects table, kill point
 * ({@code after-write}, {@code before-commit}, {@code after-commit}, {@code separate-after-commit} or
 * {@code none}).
 */
@SpringBootConfiguration
// what the test classpath brings and this application does not use, left out so each child JVM starts sooner
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
		"org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration",
		"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration" })
@Import(CrashWebApplication.CouponController.class)
public class CrashWebApplication {

	/** Where the parent may kill. */
	static final java.util.List<String> POINTS = java.util.List.of("after-write", "before-commit", "after-commit");

	static String killPoint = "none";

	static String effects;

	public static void main(String[] args) {
		killPoint = args[5];
		effects = args[4];
		ConfigurableApplicationContext context = new SpringApplication(CrashWebApplication.class).run(
				"--server.port=0", "--server.address=127.0.0.1", "--spring.datasource.url=" + args[0],
				"--spring.datasource.username=" + args[1],
				"--spring.datasource.password=" + ("-".equals(args[2]) ? "" : args[2]),
				"--idempotent.store.type=jdbc", "--idempotent.store.jdbc.table-name=" + args[3],
				"--idempotent.store.jdbc.initialize-schema=always", "--idempotent.defaults.lease=1s",
				"--logging.level.root=WARN", "--spring.main.banner-mode=off");
		signal("@@READY " + ((WebServerApplicationContext) context).getWebServer().getPort());
	}

	static void point(String name) {
		if (name.equals(killPoint)) {
			signal("@@KILLPOINT " + name);
			while (true) {
				LockSupport.park(); // until SIGKILL
			}
		}
	}

	private static void signal(String line) {
		System.out.println(line);
		System.out.flush();
	}

	@RestController
	static class CouponController {

		private final JdbcTemplate jdbc;

		CouponController(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@PostMapping("/coupons/{order}")
		@Idempotent(name = "crash.coupons", commitWithTransaction = true)
		public ResponseEntity<String> issue(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO " + effects + " (id, msg_key) VALUES (?, ?)", id, order);
			point("after-write");
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void beforeCompletion() {
					// after every beforeCommit, the completion included: the last moment before the commit
					point("before-commit");
				}

				@Override
				public void afterCommit() {
					// committed; the buffered response has not been sent yet
					point("after-commit");
				}

			});
			return ResponseEntity.status(201).header("Location", "/coupons/" + id).body("{\"coupon\":\"" + id + "\"}");
		}

		@PostMapping("/separate/{order}")
		@Idempotent(name = "crash.separate")
		public ResponseEntity<String> separate(@PathVariable String order) {
			String id = UUID.randomUUID().toString();
			this.jdbc.update("INSERT INTO " + effects + " (id, msg_key) VALUES (?, ?)", id, order); // auto-commit
			point("separate-after-commit");
			return ResponseEntity.status(201).body("{\"coupon\":\"" + id + "\"}");
		}

	}

}
