package io.idempotent.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.sql.DataSource;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Proof by crash: a guarded consumer in a child JVM ({@link CrashConsumer}) is killed with SIGKILL at each
 * dangerous point, restarted, and drains its redeliveries; then the effects are counted per key in the
 * database. Commit-with-transaction must give every key exactly one effect whatever the kill point; the
 * separate completion (the default) must lose nothing, and the duplicates its window allows are counted and
 * reported (in {@code target/crash-results.txt} and on stdout). A bounded randomized run kills the
 * transactional consumer at random moments.
 */
abstract class CrashTests {

	/**
	 * Whether the larger runs are wanted ({@code -Didempotent.test.crash-full=true}): 2,000 keys on every
	 * database and a randomized run of the default mode too. Off in the ordinary build, for its time budget.
	 */
	static final boolean FULL = Boolean.getBoolean("idempotent.test.crash-full");

	private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(60);

	/** Short, so a dead consumer's claim expires quickly. */
	private static final String LEASE_MILLIS = "1000";

	protected abstract DataSource dataSource();

	protected abstract String database();

	@Test
	void commitWithTransactionGivesEveryKeyExactlyOneEffectWhereverTheConsumerIsKilled() throws Exception {
		Outcome outcome = killAtEachPoint("transactional", CrashConsumer.TRANSACTIONAL_POINTS, "crash_tx");
		assertThat(outcome.lost()).isZero();
		assertThat(outcome.duplicated()).isZero();
	}

	@Test
	void theSeparateCompletionLosesNothingAndItsDuplicatesAreCounted() throws Exception {
		Outcome outcome = killAtEachPoint("jdbc", CrashConsumer.SEPARATE_POINTS, "crash_sep");
		assertThat(outcome.lost()).isZero();
		// exactly the kill between the handler's commit and the completion repeats an effect: this also proves
		// the harness sees a duplicate when there is one
		assertThat(outcome.duplicated()).isEqualTo(1);
	}

	@Test
	void commitWithTransactionSurvivesRandomKills() throws Exception {
		Assumptions.assumeTrue(randomRun(), "the randomized run on this database is part of the full run only");
		Outcome outcome = killAtRandom("transactional", "crash_rnd", randomKeys(), randomKeys() / 5, 5, 42);
		assertThat(outcome.lost()).isZero();
		assertThat(outcome.duplicated()).isZero();
	}

	/**
	 * How many distinct keys the randomized run sends (plus 20% resends).
	 * @return the count
	 */
	protected int randomKeys() {
		return 2000;
	}

	/**
	 * Whether the randomized run is part of the ordinary build on this database.
	 * @return true unless a subclass saves the time
	 */
	protected boolean randomRun() {
		return true;
	}

	/** Kills one consumer per point, in order, then lets a last one drain the inbox. */
	Outcome killAtEachPoint(String mode, List<String> points, String table) throws Exception {
		List<String> messages = messages(12, 3, new Random(7));
		CrashTables.recreate(dataSource(), table, messages);
		long start = System.nanoTime();
		for (String point : points) {
			try (ConsumerProcess consumer = ConsumerProcess.start(database() + "-" + table + "-" + point,
					args(mode, table, point))) {
				assertThat(consumer.awaitSignal(SIGNAL_TIMEOUT)).isEqualTo("@@KILLPOINT " + point);
				consumer.kill();
			}
		}
		drain(mode, table);
		return report(mode, table, "kill at " + String.join(", ", points), messages, points.size(), start);
	}

	/** Kills consumers at random moments (after a random number of acknowledgements), then drains. */
	Outcome killAtRandom(String mode, String table, int keys, int resends, int kills, long seed) throws Exception {
		Random random = new Random(seed);
		List<String> messages = messages(keys, resends, random);
		CrashTables.recreate(dataSource(), table, messages);
		long start = System.nanoTime();
		for (int kill = 0; kill < kills; kill++) {
			try (ConsumerProcess consumer = ConsumerProcess.start(database() + "-" + table + "-" + kill,
					args(mode, table, "none"))) {
				consumer.awaitAcks(20 + random.nextInt(messages.size() / (kills + 1)), SIGNAL_TIMEOUT);
				consumer.kill();
			}
		}
		drain(mode, table);
		return report(mode, table, kills + " random kills", messages, kills, start);
	}

	private void drain(String mode, String table) throws Exception {
		try (ConsumerProcess consumer = ConsumerProcess.start(database() + "-" + table + "-drain",
				args(mode, table, "none"))) {
			assertThat(consumer.awaitSignal(SIGNAL_TIMEOUT)).isEqualTo("@@DONE");
			assertThat(consumer.awaitExit(SIGNAL_TIMEOUT)).isZero();
		}
	}

	protected List<String> args(String mode, String table, String point) {
		HikariDataSource pool = (HikariDataSource) dataSource();
		return List.of(mode, pool.getJdbcUrl(), pool.getUsername(),
				(pool.getPassword() != null) ? pool.getPassword() : "-", table, point, LEASE_MILLIS, redis());
	}

	protected String redis() {
		return "-";
	}

	/** {@code keys} distinct keys in order, plus {@code resends} producer resends of earlier keys, later on. */
	static List<String> messages(int keys, int resends, Random random) {
		List<String> messages = new ArrayList<>();
		for (int i = 0; i < keys; i++) {
			messages.add("order-" + i);
		}
		for (int i = 0; i < resends; i++) {
			int original = random.nextInt(keys);
			int position = original + 1 + random.nextInt(messages.size() - original);
			messages.add(Math.min(position, messages.size()), "order-" + original);
		}
		return messages;
	}

	private Outcome report(String mode, String table, String scenario, List<String> messages, int kills, long start)
			throws IOException {
		Map<String, Integer> effects = CrashTables.effects(dataSource(), table);
		long distinct = messages.stream().distinct().count();
		long lost = distinct - effects.size();
		long duplicated = effects.values().stream().mapToLong((n) -> n - 1).sum();
		Outcome outcome = new Outcome(lost, duplicated);
		String line = String.format("%s mode=%s scenario=[%s] messages=%d keys=%d kills=%d lost=%d duplicated=%d "
				+ "keys-with-duplicates=%d seconds=%.1f", database(), mode, scenario, messages.size(), distinct, kills,
				lost, duplicated, effects.values().stream().filter((n) -> n > 1).count(),
				(System.nanoTime() - start) / 1e9);
		System.out.println("CRASH-RESULT " + line);
		Files.writeString(Path.of("target", "crash-results.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
				StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		return outcome;
	}

	record Outcome(long lost, long duplicated) {
	}

}
