package io.idempotent.autoconfigure.web.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * HTTP controllers in commit-with-transaction mode over real HTTP (embedded Tomcat): the controller's rows and
 * the completion that holds its response commit together before the response is sent, so a replay is the
 * committed response and anything that does not store its response leaves no row. Each endpoint writes with
 * JdbcTemplate (without and with its own {@code @Transactional}) or with Spring Data JPA (with Boot's default
 * open-session-in-view). Subclasses run it on H2, PostgreSQL and MariaDB.
 */
@SpringBootTest(classes = CouponsWebApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "idempotent.store.type=jdbc", "idempotent.store.jdbc.initialize-schema=always",
				"spring.jpa.hibernate.ddl-auto=create", "idempotent.web.max-response-size=4KB",
				"spring.flyway.enabled=false" })
@DirtiesContext
abstract class CommitWithTransactionHttpTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@Value("${idempotent.store.jdbc.table-name}")
	private String table;

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jdbc-transactional", "jpa" })
	void aRetryAfterSuccessReplaysTheCommittedResponseAndTheRowIsWrittenOnce(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post(endpoint, order, key);
		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
		HttpResponse<String> replay = post(endpoint, order, key);
		assertThat(replay.statusCode()).isEqualTo(201);
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(replay.body()).isEqualTo(first.body()).contains(order);
		assertThat(replay.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
		assertThat(replay.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"));
		assertThat(rows(order)).isEqualTo(1);
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(1);
		assertThat(completed()).isPositive();
		assertThat(processing()).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jdbc-transactional", "jpa" })
	void aControllerThatThrowsLeavesNoRowAndTheRetryRunsOnce(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			throw new IllegalStateException("boom");
		});
		assertThat(post(endpoint, order, key).statusCode()).isEqualTo(500);
		assertThat(rows(order)).as("rolled back").isZero();
		assertThat(processing()).as("released").isZero();
		HttpResponse<String> retry = post(endpoint, order, key);
		assertThat(retry.statusCode()).isEqualTo(201);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(rows(order)).isEqualTo(1);
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(2);
		assertThat(post(endpoint, order, key).body()).isEqualTo(retry.body());
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jpa" })
	void aControllerThatThrowsAnErrorLeavesNoRowAndTheRetryRunsOnce(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			throw new AssertionError("an Error, not an exception");
		});
		assertThat(post(endpoint, order, key).statusCode()).isEqualTo(500);
		assertThat(rows(order)).isZero();
		assertThat(processing()).isZero();
		assertThat(post(endpoint, order, key).statusCode()).isEqualTo(201);
		assertThat(rows(order)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jdbc-transactional", "jpa" })
	void anExceptionMappedToAStoredStatusStillRollsBackAndIsNotReplayed(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			throw new CouponsWebApplication.CouponConflict();
		});
		HttpResponse<String> first = post(endpoint, order, key);
		assertThat(first.statusCode()).isEqualTo(409);
		assertThat(first.body()).contains("conflict");
		assertThat(rows(order)).isZero();
		assertThat(processing()).isZero();
		assertThat(post(endpoint, order, key).statusCode()).isEqualTo(201);
		assertThat(rows(order)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jpa" })
	void aReturnedStatusThatIsNotStoredRollsTheRowsBackAndReleasesTheKey(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.STATUSES.put(order, 503);
		HttpResponse<String> first = post(endpoint, order, key);
		assertThat(first.statusCode()).isEqualTo(503);
		assertThat(first.body()).as("the response is still sent").contains(order);
		assertThat(rows(order)).isZero();
		assertThat(processing()).isZero();
		CouponsWebApplication.STATUSES.remove(order);
		HttpResponse<String> retry = post(endpoint, order, key);
		assertThat(retry.statusCode()).isEqualTo(201);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(rows(order)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jpa" })
	void aResponseOverTheLimitRollsBackAndAnswersA500ThatIsNotStored(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.BODY_SIZES.put(order, 8000);
		HttpResponse<String> first = post(endpoint, order, key);
		assertThat(first.statusCode()).isEqualTo(500);
		assertThat(first.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(first.body()).contains("8000 bytes").contains("rolled back").doesNotContain("xxxx");
		assertThat(first.headers().firstValue("Location")).isEmpty();
		assertThat(rows(order)).isZero();
		assertThat(processing()).isZero();
		CouponsWebApplication.BODY_SIZES.remove(order);
		assertThat(post(endpoint, order, key).statusCode()).isEqualTo(201);
		assertThat(rows(order)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jpa" })
	void noByteOfTheResponseIsSentBeforeTheCommit(String endpoint) throws Exception {
		String order = order();
		AtomicReference<Boolean> sentBeforeCommit = new AtomicReference<>();
		AtomicReference<Integer> completedBeforeCommit = new AtomicReference<>();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			jakarta.servlet.http.HttpServletResponse response = ((org.springframework.web.context.request.ServletRequestAttributes) org.springframework.web.context.request.RequestContextHolder
				.currentRequestAttributes()).getResponse();
			org.springframework.transaction.support.TransactionSynchronizationManager
				.registerSynchronization(new org.springframework.transaction.support.TransactionSynchronization() {

					@Override
					public void beforeCompletion() {
						// after the completion statement, just before the commit
						sentBeforeCommit.set(response.isCommitted());
						// read on another connection, as any other client would
						Thread reader = new Thread(() -> completedBeforeCommit.set(completed()));
						reader.start();
						try {
							reader.join();
						}
						catch (InterruptedException ex) {
							throw new IllegalStateException(ex);
						}
					}

				});
		});
		int completedBefore = completed();
		HttpResponse<String> first = post(endpoint, order, UUID.randomUUID().toString());
		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(sentBeforeCommit.get()).as("response committed to the client before the transaction").isFalse();
		assertThat(completedBeforeCommit.get()).as("the completion is not visible outside before the commit")
			.isEqualTo(completedBefore);
		assertThat(completed()).isEqualTo(completedBefore + 1);
	}

	@Test
	void aControllerThatCatchesAFailureMarkingItsTransactionRollbackOnlyIsNeverAnsweredSuccess() throws Exception {
		// the service's own @Transactional joins the guard's transaction and marks it rollback-only when it
		// throws; the controller catches it and answers 201, but its coupon is rolled back: the client must not
		// get a success it would never retry (the effect would be lost)
		String order = order();
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post("jdbc-fallback", order, key);
		assertThat(first.statusCode()).isEqualTo(500);
		assertThat(first.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(first.body()).contains("rolled back").contains("rollback-only").doesNotContain(order);
		assertThat(first.headers().firstValue("Location")).isEmpty();
		assertThat(rows(order)).isZero();
		assertThat(processing()).as("released").isZero();
		HttpResponse<String> retry = post("jdbc-fallback", order, key);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).as("nothing was stored").isEmpty();
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(2);
	}

	@Test
	void theStoreCallsOfAGuardedBeanInsideTheControllerNeverCommitTheControllersTransaction() throws Exception {
		// a default-mode guarded bean's claim and completion are store statements of their own; under Boot's
		// JpaTransactionManager they ran on the controller's connection and committed its work so far, so a
		// controller that failed afterwards left its rows behind while its key was released: the retry wrote
		// them again
		String order = order();
		String key = UUID.randomUUID().toString();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			throw new IllegalStateException("fails after the points");
		});
		assertThat(post("jdbc-points", order, key).statusCode()).isEqualTo(500);
		assertThat(rows(order)).as("the controller's row is rolled back").isZero();
		assertThat(rows(order + "-points")).as("the points row, written in the controller's transaction").isZero();
		assertThat(processing()).isZero();
		assertThat(post("jdbc-points", order, key).statusCode()).isEqualTo(201);
		assertThat(rows(order)).isEqualTo(1);
	}

	@Test
	void aGuardedControllerCallingAnotherRunsUnderItsClaimAndCommitsBothRowsWithItsCompletion() throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post("jdbc-nested", order, key);
		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(rows(order)).isEqualTo(1);
		assertThat(rows(order + "-receipt")).as("the inner controller's row commits with the outer").isEqualTo(1);
		assertThat(processing()).as("no claim left held, no transaction left open").isZero();
		HttpResponse<String> replay = post("jdbc-nested", order, key);
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(replay.body()).isEqualTo(first.body());
		assertThat(rows(order)).isEqualTo(1);
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(1);
		// the receipt endpoint called on its own is its own request, with its own claim
		assertThat(post("receipt", order, key).statusCode()).isEqualTo(201);
		assertThat(rows(order + "-receipt")).isEqualTo(2);
	}

	@Test
	void aControllerThatFlushesItsResponseSendsNothingBeforeTheCommit() throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post("jdbc-flush", order, key);
		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(CouponsWebApplication.COMMITTED_WHILE_RUNNING.get(order)).as("flushed to the client").isFalse();
		HttpResponse<String> replay = post("jdbc-flush", order, key);
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(replay.body()).isEqualTo(first.body()).isEqualTo("flushed " + order);
		assertThat(rows(order)).isEqualTo(1);
	}

	@Test
	void aControllerThatStartsAsyncProcessingByHandIsRolledBackAndReleasedNeverCompletedOutsideItsTransaction()
			throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		assertThat(post("jdbc-async", order, key).statusCode()).isEqualTo(200);
		assertThat(rows(order)).as("its transaction left with the request thread: rolled back").isZero();
		assertThat(processing()).isZero();
		HttpResponse<String> second = post("jdbc-async", order, key);
		assertThat(second.headers().firstValue("Idempotent-Replayed")).as("nothing was stored").isEmpty();
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(2);
	}

	@Test
	void aRetryWhileTheFirstRunsGets409AndThenTheCommittedResponse() throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch proceed = new CountDownLatch(1);
		CouponsWebApplication.PLANS.put(order, (id) -> {
			running.countDown();
			awaitQuietly(proceed);
		});
		ExecutorService client = Executors.newSingleThreadExecutor();
		Future<HttpResponse<String>> first = client.submit(() -> post("jdbc", order, key));
		assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		HttpResponse<String> duplicate = post("jdbc", order, key);
		assertThat(duplicate.statusCode()).isEqualTo(409);
		assertThat(duplicate.headers().firstValue("Retry-After")).isPresent();
		assertThat(rows(order)).as("uncommitted while the first runs").isZero();
		proceed.countDown();
		HttpResponse<String> committed = first.get(30, TimeUnit.SECONDS);
		client.shutdown();
		assertThat(committed.statusCode()).isEqualTo(201);
		assertThat(post("jdbc", order, key).body()).isEqualTo(committed.body());
		assertThat(rows(order)).isEqualTo(1);
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc", "jpa" })
	void aLeaseLostBeforeTheCommitRollsTheRowBackAndAnswers409(String endpoint) throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		AtomicReference<HttpResponse<String>> takeover = new AtomicReference<>();
		CouponsWebApplication.PLANS.put(order, (id) -> {
			// the claim expires and another request takes the key over and commits, while this one is open
			Thread other = new Thread(() -> {
				this.jdbc.update("UPDATE " + this.table + " SET expires_at = created_at WHERE state = 'PROCESSING'");
				takeover.set(postQuietly(endpoint, order, key));
			});
			other.start();
			try {
				other.join();
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		HttpResponse<String> first = post(endpoint, order, key);
		assertThat(takeover.get().statusCode()).isEqualTo(201);
		assertThat(first.statusCode()).isEqualTo(409);
		assertThat(first.body()).contains("taken over").contains("rolled back");
		assertThat(rows(order)).as("only the takeover's row").isEqualTo(1);
		HttpResponse<String> retry = post(endpoint, order, key);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(retry.body()).isEqualTo(takeover.get().body());
	}

	@Test
	void manyConcurrentRequestsWithOneKeyRunTheControllerOnce() throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		int clients = 16;
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < clients; i++) {
			responses.add(pool.submit(() -> {
				start.await();
				return post("jdbc-transactional", order, key);
			}));
		}
		start.countDown();
		String body = null;
		int created = 0;
		for (Future<HttpResponse<String>> future : responses) {
			HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isIn(201, 409);
			if (response.statusCode() == 201) {
				created++;
				body = (body != null) ? body : response.body();
				assertThat(response.body()).isEqualTo(body);
			}
		}
		pool.shutdown();
		assertThat(created).isPositive();
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(1);
		assertThat(rows(order)).isEqualTo(1);
	}

	@Test
	void aClientThatDisconnectsMidRequestFindsTheCommittedResponseOnRetry() throws Exception {
		String order = order();
		String key = UUID.randomUUID().toString();
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch proceed = new CountDownLatch(1);
		CouponsWebApplication.PLANS.put(order, (id) -> {
			running.countDown();
			awaitQuietly(proceed);
		});
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("POST /jdbc/" + order + " HTTP/1.1\r\nHost: 127.0.0.1\r\nIdempotency-Key: " + key
					+ "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		}
		proceed.countDown();
		await().atMost(Duration.ofSeconds(30)).until(() -> processing() == 0);
		HttpResponse<String> retry = post("jdbc", order, key);
		assertThat(retry.statusCode()).isEqualTo(201);
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(rows(order)).isEqualTo(1);
		assertThat(CouponsWebApplication.executions(order)).isEqualTo(1);
	}

	static String order() {
		return "o-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private int rows(String order) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM http_coupon WHERE order_id = ?", Integer.class, order);
	}

	/** Claims held (a release keeps the row PROCESSING but drops its owner and expires it). */
	private int processing() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.table
				+ " WHERE state = 'PROCESSING' AND owner_token IS NOT NULL", Integer.class);
	}

	private int completed() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.table + " WHERE state = 'COMPLETED'",
				Integer.class);
	}

	HttpResponse<String> post(String endpoint, String order, String key) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/" + endpoint + "/"
				+ order)).header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> postQuietly(String endpoint, String order, String key) {
		try {
			return post(endpoint, order, key);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			if (!latch.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("not released");
			}
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
