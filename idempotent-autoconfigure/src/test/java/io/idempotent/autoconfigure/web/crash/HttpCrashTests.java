package io.idempotent.autoconfigure.web.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Proof by crash over HTTP: a guarded controller in commit-with-transaction mode runs in a child JVM
 * ({@link CrashWebApplication}) that is killed with SIGKILL while serving a request, after its business write,
 * just before its commit, or after the commit before the response is sent. The client gets no answer; a new
 * JVM is started and the client retries with the same Idempotency-Key. Every key must have exactly one effect,
 * and the retry must either replay the committed response (killed after the commit: the replay names the very
 * row that was committed) or run the controller once (killed before it). With
 * {@code -Didempotent.test.crash-full=true} a controller in the default mode is killed after its write committed,
 * and its retry is counted repeating the effect, so the harness is shown to see a duplicate when there is one.
 * Results are appended to {@code target/crash-results.txt}.
 */
abstract class HttpCrashTests {

	private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(90);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	protected abstract DataSource dataSource();

	protected abstract String database();

	@Test
	void aRetryAfterACrashMidRequestReplaysTheCommittedResponseOrRunsOnceNeverTwice() throws Exception {
		String table = "crash_http";
		String effects = table + "_effects";
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS " + table);
		jdbc.execute("DROP TABLE IF EXISTS " + effects);
		jdbc.execute("CREATE TABLE " + effects + " (id VARCHAR(64) PRIMARY KEY, msg_key VARCHAR(100) NOT NULL)");
		long start = System.nanoTime();
		Map<String, String> keys = new LinkedHashMap<>();
		for (String point : CrashWebApplication.POINTS) {
			String order = "order-" + point;
			String key = UUID.randomUUID().toString();
			keys.put(point, key);
			try (ChildJvm child = ChildJvm.start(database() + "-http-" + point, args(table, effects, point))) {
				int port = ready(child);
				CompletableFuture<HttpResponse<String>> request = this.http.sendAsync(post(port, order, key),
						HttpResponse.BodyHandlers.ofString());
				assertThat(child.awaitSignal(SIGNAL_TIMEOUT)).isEqualTo("@@KILLPOINT " + point);
				child.kill();
				assertThatThrownBy(() -> request.get(30, TimeUnit.SECONDS)).as("the client got no answer")
					.hasRootCauseInstanceOf(java.io.IOException.class);
			}
		}
		List<String> lines = new ArrayList<>();
		try (ChildJvm child = ChildJvm.start(database() + "-http-retry", args(table, effects, "none"))) {
			int port = ready(child);
			for (String point : CrashWebApplication.POINTS) {
				String order = "order-" + point;
				HttpResponse<String> retry = retryUntilNotInProgress(port, order, keys.get(point));
				assertThat(retry.statusCode()).isEqualTo(201);
				boolean replayed = retry.headers().firstValue("Idempotent-Replayed").isPresent();
				List<String> rows = jdbc.queryForList("SELECT id FROM " + effects + " WHERE msg_key = ?", String.class,
						order);
				assertThat(rows).as("effects of " + order).hasSize(1);
				assertThat(retry.body()).as("the response names the one committed row").contains(rows.get(0));
				assertThat(replayed).as("replayed exactly when killed after the commit")
					.isEqualTo(point.equals("after-commit"));
				lines.add(String.format("%s mode=http-transactional kill=%s lost=%d duplicated=%d retry=%s", database(),
						point, Math.max(0, 1 - rows.size()), Math.max(0, rows.size() - 1),
						replayed ? "replayed" : "ran-once"));
			}
		}
		String summary = String.format("%s seconds=%.1f", database(), (System.nanoTime() - start) / 1e9);
		for (String line : lines) {
			System.out.println("CRASH-RESULT " + line);
		}
		System.out.println("CRASH-RESULT " + summary);
		lines.add(summary);
		Files.writeString(Path.of("target", "crash-results.txt"), String.join(System.lineSeparator(), lines)
				+ System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	@Test
	@EnabledIfSystemProperty(named = "idempotent.test.crash-full", matches = "true")
	void theDefaultModesWindowRepeatsAnEffectAndTheHarnessSeesIt() throws Exception {
		String table = "crash_http_sep";
		String effects = table + "_effects";
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE IF EXISTS " + table);
		jdbc.execute("DROP TABLE IF EXISTS " + effects);
		jdbc.execute("CREATE TABLE " + effects + " (id VARCHAR(64) PRIMARY KEY, msg_key VARCHAR(100) NOT NULL)");
		String order = "order-separate";
		String key = UUID.randomUUID().toString();
		try (ChildJvm child = ChildJvm.start(database() + "-http-separate", args(table, effects,
				"separate-after-commit"))) {
			int port = ready(child);
			CompletableFuture<HttpResponse<String>> request = this.http.sendAsync(post(port, "separate", order, key),
					HttpResponse.BodyHandlers.ofString());
			assertThat(child.awaitSignal(SIGNAL_TIMEOUT)).isEqualTo("@@KILLPOINT separate-after-commit");
			child.kill();
			assertThatThrownBy(() -> request.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(java.io.IOException.class);
		}
		try (ChildJvm child = ChildJvm.start(database() + "-http-separate-retry", args(table, effects, "none"))) {
			HttpResponse<String> retry = retryUntilNotInProgress(ready(child), "separate", order, key);
			assertThat(retry.statusCode()).isEqualTo(201);
			assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
		}
		int rows = jdbc.queryForObject("SELECT COUNT(*) FROM " + effects + " WHERE msg_key = ?", Integer.class, order);
		assertThat(rows).as("the default mode's window: the effect committed, the completion never written").isEqualTo(2);
		String line = String.format("%s mode=http-separate kill=after-commit lost=0 duplicated=%d retry=ran-again",
				database(), rows - 1);
		System.out.println("CRASH-RESULT " + line);
		Files.writeString(Path.of("target", "crash-results.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
				StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	private HttpResponse<String> retryUntilNotInProgress(int port, String order, String key) {
		return retryUntilNotInProgress(port, "coupons", order, key);
	}

	private HttpResponse<String> retryUntilNotInProgress(int port, String path, String order, String key) {
		AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
		// 409 while the dead JVM's claim has not expired yet (its lease is 1 s)
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
			last.set(this.http.send(post(port, path, order, key), HttpResponse.BodyHandlers.ofString()));
			return last.get().statusCode() != 409;
		});
		return last.get();
	}

	private static int ready(ChildJvm child) throws InterruptedException {
		String ready = child.awaitSignal(SIGNAL_TIMEOUT);
		assertThat(ready).startsWith("@@READY ");
		return Integer.parseInt(ready.substring("@@READY ".length()));
	}

	private static HttpRequest post(int port, String order, String key) {
		return post(port, "coupons", order, key);
	}

	private static HttpRequest post(int port, String path, String order, String key) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path + "/" + order))
			.header("Idempotency-Key", key)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
	}

	private List<String> args(String table, String effects, String point) {
		HikariDataSource pool = (HikariDataSource) dataSource();
		return List.of(pool.getJdbcUrl(), pool.getUsername(),
				(pool.getPassword() != null) ? pool.getPassword() : "-", table, effects, point);
	}

}
