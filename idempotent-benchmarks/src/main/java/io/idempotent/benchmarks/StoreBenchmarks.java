package io.idempotent.benchmarks;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.sql.Types;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.store.jdbc.JdbcDialect;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestDatabases;
import io.idempotent.testsupport.TestRedis;

/**
 * The guarded no-op method on a real store against a raw loop doing the same round trips directly on the same
 * server, so that the ratio is the guard's own cost. Redis: {@code EVALSHA} of the store's own claim script then
 * its complete script, with Lettuce on one shared connection. JDBC: the store's own claim statement then its
 * complete statement, each on a connection of its own from the same pool, auto-committed (as the store runs
 * them outside a transaction), on rows of the same name and size as the guard's. A duplicate (a completed key)
 * is measured against one raw run of the claim script or statement on a completed key: the one round trip a
 * duplicate needs. The two sides of a row alternate, raw first, over the mode's runs.
 */
final class StoreBenchmarks {

	private static final Duration RETENTION = Duration.ofMinutes(2);

	private static final int[] THREADS = { 1, 8 };

	private static final String TOKEN = "0123456789abcdef0123456789abcdef";

	private final BenchmarkMode mode;

	private final Report report;

	private final String run = UUID.randomUUID().toString().substring(0, 8);

	StoreBenchmarks(BenchmarkMode mode, Report report) {
		this.mode = mode;
		this.report = report;
	}

	void redis() throws Exception {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
		factory.afterPropertiesSet();
		factory.start();
		RedisClient client = RedisClient.create(RedisURI.create(TestRedis.host(), TestRedis.port()));
		try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			RedisCommands<byte[], byte[]> raw = connection.sync();
			RedisIdempotencyStore store = new RedisIdempotencyStore(factory, "bench");
			GuardedHandler guarded = GuardedHandler.guarded(store, RETENTION);
			String claimSha = raw.scriptLoad(script("CLAIM"));
			String completeSha = raw.scriptLoad(script("COMPLETE"));
			byte[] token = ascii(TOKEN);
			byte[] lease = ascii("60000");
			byte[] retention = ascii(Long.toString(RETENTION.toMillis()));
			byte[] zero = ascii("0");
			byte[] none = new byte[0];
			for (int threads : THREADS) {
				alternate("Redis 7", "first call: claim + complete", threads, (round, i) -> {
					byte[][] key = { ascii("raw:" + this.run + ":" + threads + ":" + round + ":" + i) };
					raw.evalsha(claimSha, ScriptOutputType.MULTI, key, token, lease, zero, none);
					raw.evalsha(completeSha, ScriptOutputType.INTEGER, key, token, none, retention);
				}, (round, i) -> guarded.handle(this.run + ":" + threads + ":" + round + ":" + i));
			}
			byte[][] completedKey = { ascii("raw:duplicate:" + this.run) };
			raw.evalsha(claimSha, ScriptOutputType.MULTI, completedKey, token, lease, zero, none);
			raw.evalsha(completeSha, ScriptOutputType.INTEGER, completedKey, token, none, retention);
			guarded.handle("duplicate");
			for (int threads : THREADS) {
				alternate("Redis 7", "duplicate of a completed key vs one claim script", threads,
						(round, i) -> raw.evalsha(claimSha, ScriptOutputType.MULTI, completedKey, token, lease, zero, none),
						(round, i) -> guarded.handle("duplicate"));
			}
		}
		finally {
			client.shutdown();
			factory.destroy();
		}
	}

	void jdbc(String name, DataSource dataSource) throws Exception {
		JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource, "idempotency_record", 1 << 20);
		JdbcDialect dialect = store.dialect();
		createTable(dataSource, dialect, "idempotency_record");
		createTable(dataSource, dialect, "raw_record");
		JdbcIdempotencyStore rawStore = new JdbcIdempotencyStore(dataSource, "raw_record", 1 << 20);
		GuardedHandler guarded = GuardedHandler.guarded(store, RETENTION);
		RawJdbc raw = new RawJdbc(dataSource, rawStore);
		// the raw rows carry the name the guard stores (its operation's): a shorter one wrote ~15% less WAL per call
		guarded.handle("name-" + this.run);
		byte[] rawName = new JdbcTemplate(dataSource).queryForObject(
				"SELECT operation_name FROM idempotency_record", byte[].class);
		for (int threads : THREADS) {
			alternate(name, "first call: claim + complete", threads, (round, i) -> {
				byte[] key = (this.run + ":" + threads + ":" + round + ":" + i).getBytes(StandardCharsets.UTF_8);
				raw.claim(rawName, key);
				raw.complete(rawName, key);
			}, (round, i) -> guarded.handle(this.run + ":" + threads + ":" + round + ":" + i));
		}
		byte[] completedKey = ("duplicate-" + this.run).getBytes(StandardCharsets.UTF_8);
		raw.claim(rawName, completedKey);
		raw.complete(rawName, completedKey);
		guarded.handle("duplicate-" + this.run);
		for (int threads : THREADS) {
			alternate(name, "duplicate of a completed key vs one claim statement", threads,
					(round, i) -> raw.claim(rawName, completedKey), (round, i) -> guarded.handle("duplicate-" + this.run));
		}
	}

	/** One call of a side; {@code round} numbers the side's runs, so that keys stay new across them. */
	@FunctionalInterface
	private interface Call {

		void run(int round, long sequence) throws Exception;

	}

	/**
	 * Measures the raw loop and the guarded one alternately, {@code mode.runs()} times each (raw first), so that
	 * neither side always runs on a colder or a fuller server than the other.
	 */
	private void alternate(String store, String scenario, int threads, Call raw, Call guarded) throws Exception {
		Runs rawRuns = new Runs();
		Runs guardedRuns = new Runs();
		for (int run = 0; run < this.mode.runs(); run++) {
			int round = run;
			rawRuns.add(LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(), (i) -> raw.run(round, i)));
			guardedRuns.add(LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(),
					(i) -> guarded.run(round, i)));
		}
		this.report.load(store, scenario, threads, rawRuns, guardedRuns);
	}

	/** The Lua source of one of the Redis store's scripts, read from the store so the raw loop runs the same. */
	private static byte[] script(String name) throws ReflectiveOperationException {
		Field field = RedisIdempotencyStore.class.getDeclaredField(name);
		field.setAccessible(true);
		Object script = field.get(null);
		String source = (script instanceof RedisScript<?> redisScript) ? redisScript.getScriptAsString()
				: script.toString();
		return source.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * The JDBC store's own claim and complete statements (read from a store on the raw table), run with plain
	 * JDBC, each on an auto-committed connection of its own.
	 */
	private static final class RawJdbc {

		private final DataSource dataSource;

		private final String claimSql;

		private final String completeSql;

		private final boolean claimIsQuery;

		private final boolean generatedKeys;

		private final int claimParameters;

		RawJdbc(DataSource dataSource, JdbcIdempotencyStore store) throws ReflectiveOperationException {
			this.dataSource = dataSource;
			// the claim the store runs on this server: MariaDB 10.5+ claims with INSERT ... RETURNING
			this.claimSql = (store.dialect() == JdbcDialect.MYSQL && claimsInOneRoundTrip(store))
					? field(store, "claimReturningSql") : field(store, "claimSql");
			this.completeSql = field(store, "completeSql");
			this.claimIsQuery = this.claimSql.startsWith("WITH") || this.claimSql.startsWith("SELECT")
					|| this.claimSql.contains(" RETURNING ");
			this.generatedKeys = this.claimSql.contains("LAST_INSERT_ID");
			this.claimParameters = (int) this.claimSql.chars().filter((c) -> c == '?').count();
		}

		void claim(byte[] name, byte[] key) throws Exception {
			try (Connection connection = this.dataSource.getConnection();
					PreparedStatement claim = this.generatedKeys
							? connection.prepareStatement(this.claimSql, Statement.RETURN_GENERATED_KEYS)
							: connection.prepareStatement(this.claimSql)) {
				claim.setBytes(1, name);
				claim.setBytes(2, key);
				claim.setString(3, TOKEN);
				claim.setNull(4, Types.VARBINARY);
				claim.setLong(5, 60_000);
				if (this.claimParameters > 5) {
					claim.setBytes(6, name);
					claim.setBytes(7, key);
				}
				if (this.claimIsQuery) {
					try (ResultSet rows = claim.executeQuery()) {
						rows.next();
					}
				}
				else {
					try {
						claim.executeUpdate();
						try (ResultSet keys = claim.getGeneratedKeys()) {
							keys.next();
						}
					}
					catch (SQLIntegrityConstraintViolationException duplicate) {
						// a duplicate: the one round trip the raw loop measures
					}
				}
			}
		}

		void complete(byte[] name, byte[] key) throws Exception {
			try (Connection connection = this.dataSource.getConnection();
					PreparedStatement complete = connection.prepareStatement(this.completeSql)) {
				complete.setBytes(1, new byte[0]);
				complete.setLong(2, RETENTION.toMillis());
				complete.setBytes(3, name);
				complete.setBytes(4, key);
				complete.setString(5, TOKEN);
				complete.executeUpdate();
			}
		}

		/** False on a store built before MariaDB claimed in one round trip (comparing builds with one harness). */
		private static boolean claimsInOneRoundTrip(JdbcIdempotencyStore store) {
			try {
				return store.claimsInOneRoundTrip();
			}
			catch (NoSuchMethodError ex) {
				return false;
			}
		}

		private static String field(JdbcIdempotencyStore store, String name) throws ReflectiveOperationException {
			Field field = JdbcIdempotencyStore.class.getDeclaredField(name);
			field.setAccessible(true);
			return (String) field.get(store);
		}

	}

	private static void createTable(DataSource dataSource, JdbcDialect dialect, String table) throws Exception {
		String schema;
		try (var in = new DefaultResourceLoader().getResource(dialect.schemaLocation()).getInputStream()) {
			schema = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("idempotency_record", table);
		}
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("DROP TABLE IF EXISTS " + table);
		for (String statement : schema.replaceAll("(?m)^--.*$", "").split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
	}

	static DataSource postgres() {
		return TestDatabases.postgres();
	}

	static DataSource mariadb() {
		return TestDatabases.mariadb();
	}

}
