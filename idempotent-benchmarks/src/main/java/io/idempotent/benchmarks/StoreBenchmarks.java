package io.idempotent.benchmarks;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import io.idempotent.store.jdbc.JdbcDialect;
import io.idempotent.store.jdbc.JdbcIdempotencyStore;
import io.idempotent.store.redis.RedisIdempotencyStore;
import io.idempotent.testsupport.TestDatabases;
import io.idempotent.testsupport.TestRedis;

/**
 * The guarded no-op method on a real store against a raw loop doing the same round trips directly on the same
 * server: Redis {@code SET NX PX} then {@code SET PX} with Lettuce on one shared connection; PostgreSQL
 * {@code INSERT ... ON CONFLICT DO NOTHING} then {@code UPDATE}; MariaDB a plain {@code INSERT} then
 * {@code UPDATE}, each auto-committed over the same connection pool. The duplicate path (a completed key) is
 * measured against one raw read.
 */
final class StoreBenchmarks {

	private static final Duration RETENTION = Duration.ofMinutes(2);

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
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			RedisCommands<String, String> raw = connection.sync();
			GuardedHandler guarded = GuardedHandler.guarded(new RedisIdempotencyStore(factory, "bench"), RETENTION);
			SetArgs claim = SetArgs.Builder.nx().px(60_000);
			SetArgs complete = SetArgs.Builder.px(RETENTION.toMillis());
			for (int threads : new int[] { 1, 8 }) {
				LoadResult rawResult = LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(), (i) -> {
					String key = "raw:" + this.run + ":" + i;
					raw.set(key, "P0123456789abcdef0123456789abcdef", claim);
					raw.set(key, "C", complete);
				});
				LoadResult guardedResult = LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(),
						(i) -> guarded.handle(this.run + ":" + threads + ":" + i));
				this.report.load("Redis 7", "first call: claim + complete", threads, rawResult, guardedResult);
			}
			raw.set("raw:duplicate", "C");
			guarded.handle("duplicate");
			LoadResult rawRead = LoadRunner.run(1, this.mode.warmup(), this.mode.measure(), (i) -> raw.get("raw:duplicate"));
			LoadResult guardedRead = LoadRunner.run(1, this.mode.warmup(), this.mode.measure(),
					(i) -> guarded.handle("duplicate"));
			this.report.load("Redis 7", "duplicate of a completed key vs one GET", 1, rawRead, guardedRead);
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
		GuardedHandler guarded = GuardedHandler.guarded(store, RETENTION);
		String insert = (dialect == JdbcDialect.POSTGRESQL)
				? "INSERT INTO raw_record (operation_name, record_key, state, owner_token, fence, expires_at, created_at) "
						+ "VALUES (?, ?, 'PROCESSING', ?, 1, CURRENT_TIMESTAMP + INTERVAL '1 minute', CURRENT_TIMESTAMP) "
						+ "ON CONFLICT DO NOTHING"
				: "INSERT INTO raw_record (operation_name, record_key, state, owner_token, fence, expires_at, created_at) "
						+ "VALUES (?, ?, 'PROCESSING', ?, 1, UTC_TIMESTAMP(3) + INTERVAL 1 MINUTE, UTC_TIMESTAMP(3))";
		String update = "UPDATE raw_record SET state = 'COMPLETED', result_data = ? WHERE operation_name = ? "
				+ "AND record_key = ? AND owner_token = ?";
		byte[] rawName = "raw".getBytes(StandardCharsets.UTF_8);
		byte[] empty = new byte[0];
		for (int threads : new int[] { 1, 8 }) {
			LoadResult rawResult = LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(), (i) -> {
				String key = this.run + ":" + threads + ":" + i;
				try (Connection connection = dataSource.getConnection()) {
					try (PreparedStatement claim = connection.prepareStatement(insert)) {
						claim.setBytes(1, rawName);
						claim.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
						claim.setString(3, "0123456789abcdef0123456789abcdef");
						claim.executeUpdate();
					}
					try (PreparedStatement complete = connection.prepareStatement(update)) {
						complete.setBytes(1, empty);
						complete.setBytes(2, rawName);
						complete.setBytes(3, key.getBytes(StandardCharsets.UTF_8));
						complete.setString(4, "0123456789abcdef0123456789abcdef");
						complete.executeUpdate();
					}
				}
			});
			LoadResult guardedResult = LoadRunner.run(threads, this.mode.warmup(), this.mode.measure(),
					(i) -> guarded.handle(this.run + ":" + threads + ":" + i));
			this.report.load(name, "first call: claim + complete", threads, rawResult, guardedResult);
		}
		guarded.handle("duplicate-" + this.run);
		LoadResult rawRead = LoadRunner.run(1, this.mode.warmup(), this.mode.measure(), (i) -> {
			try (Connection connection = dataSource.getConnection();
					PreparedStatement read = connection.prepareStatement(
							"SELECT state, result_data FROM raw_record WHERE operation_name = ? AND record_key = ?")) {
				read.setBytes(1, rawName);
				read.setBytes(2, (this.run + ":1:1").getBytes(StandardCharsets.UTF_8));
				try (ResultSet rows = read.executeQuery()) {
					rows.next();
				}
			}
		});
		LoadResult guardedRead = LoadRunner.run(1, this.mode.warmup(), this.mode.measure(),
				(i) -> guarded.handle("duplicate-" + this.run));
		this.report.load(name, "duplicate of a completed key vs one SELECT", 1, rawRead, guardedRead);
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
