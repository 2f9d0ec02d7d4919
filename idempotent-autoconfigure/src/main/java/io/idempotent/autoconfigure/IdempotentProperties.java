package io.idempotent.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.unit.DataSize;

import io.idempotent.core.FailureMode;
import io.idempotent.core.PayloadMismatch;

/**
 * Configuration of idempotent: defaults for every guarded operation, per-operation overrides, and the store.
 */
@ConfigurationProperties("idempotent")
public class IdempotentProperties {

	/**
	 * Whether @Idempotent methods are guarded.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every key the Redis store writes. Defaults to spring.application.name, else "idempotent".
	 */
	private String keyPrefix;

	/**
	 * Settings every guarded operation starts from.
	 */
	@NestedConfigurationProperty
	private final Operation defaults = Operation.defaults();

	/**
	 * Per-operation overrides of the defaults, keyed by operation name (the annotation's name, or
	 * SimpleClassName.method; use brackets for names with dots: idempotent.handlers.[Orders.pay].lease).
	 */
	private final Map<String, Operation> handlers = new LinkedHashMap<>();

	/**
	 * How long the completion of a call that succeeded is retried in the background when the store fails to
	 * record it; the key stays held meanwhile. After that it is logged at ERROR and counted.
	 */
	private Duration completionRetryLimit = Duration.ofMinutes(5);

	private final Store store = new Store();

	private final Web web = new Web();

	private final Observation observation = new Observation();

	private final Logging logging = new Logging();

	private final NearCache nearCache = new NearCache();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getCompletionRetryLimit() {
		return this.completionRetryLimit;
	}

	public void setCompletionRetryLimit(Duration completionRetryLimit) {
		this.completionRetryLimit = completionRetryLimit;
	}

	public Operation getDefaults() {
		return this.defaults;
	}

	public Map<String, Operation> getHandlers() {
		return this.handlers;
	}

	public Store getStore() {
		return this.store;
	}

	public Web getWeb() {
		return this.web;
	}

	public Observation getObservation() {
		return this.observation;
	}

	public Logging getLogging() {
		return this.logging;
	}

	public NearCache getNearCache() {
		return this.nearCache;
	}

	/**
	 * This instance's near cache of the keys it completed, in front of the shared store.
	 */
	public static class NearCache {

		/**
		 * Whether guarded operations keep the keys this instance completed, with their results, in a local cache
		 * that answers their duplicates without a store round trip, unless an operation says otherwise
		 * (idempotent.handlers.[name].near-cache). Another instance's eviction of a key is seen here only when
		 * the entry expires (ttl).
		 */
		private boolean enabled;

		/**
		 * Most completed keys kept; the least used ones are dropped beyond it.
		 */
		private long maximumSize = 10_000;

		/**
		 * Longest time a completed key is kept (never beyond its retention): how long this instance may still
		 * answer a key another instance evicted.
		 */
		private Duration ttl = Duration.ofMinutes(1);

		/**
		 * Largest result kept; duplicates of keys with larger results are answered by the store.
		 */
		private DataSize maxResultSize = DataSize.ofKilobytes(4);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getMaximumSize() {
			return this.maximumSize;
		}

		public void setMaximumSize(long maximumSize) {
			this.maximumSize = maximumSize;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public DataSize getMaxResultSize() {
			return this.maxResultSize;
		}

		public void setMaxResultSize(DataSize maxResultSize) {
			this.maxResultSize = maxResultSize;
		}

	}

	/**
	 * The idempotent.execution observations.
	 */
	public static class Observation {

		/**
		 * Whether observations carry the SHA-256 of each key as the high-cardinality value idempotent.key.hash
		 * (span attribute). Never a metric tag.
		 */
		private boolean keyHash;

		public boolean isKeyHash() {
			return this.keyHash;
		}

		public void setKeyHash(boolean keyHash) {
			this.keyHash = keyHash;
		}

	}

	/**
	 * Operator logs.
	 */
	public static class Logging {

		/**
		 * Shortest time between two INFO summaries of the duplicates one operation skipped; zero turns the
		 * summaries off. Each duplicate is logged at DEBUG regardless.
		 */
		private Duration duplicateSummaryInterval = Duration.ofMinutes(1);

		public Duration getDuplicateSummaryInterval() {
			return this.duplicateSummaryInterval;
		}

		public void setDuplicateSummaryInterval(Duration duplicateSummaryInterval) {
			this.duplicateSummaryInterval = duplicateSummaryInterval;
		}

	}

	/**
	 * The HTTP guard of Spring MVC controller methods.
	 */
	public static class Web {

		/**
		 * Request header carrying the idempotency key.
		 */
		private String headerName = "Idempotency-Key";

		/**
		 * Whether a request without the header is refused with 400; when false it runs unguarded.
		 */
		private boolean required = true;

		/**
		 * Response headers stored and replayed with the body (Content-Type always is).
		 */
		private List<String> replayedHeaders = new ArrayList<>(List.of("Content-Type", "Location"));

		/**
		 * Whether 4xx responses are stored and replayed; when false they release the key so a retry runs.
		 */
		private boolean replayClientErrors = true;

		/**
		 * Largest response body stored for replay; a larger one is answered (and replayed) as a 500 problem. The
		 * store's own result limit (idempotent.store.jdbc.max-result-size) applies too: the smaller one wins.
		 */
		private DataSize maxResponseSize = DataSize.ofMegabytes(1);

		/**
		 * Largest request body of a guarded request (hashed as it streams, never copied whole); a larger one is
		 * answered 413 and nothing is stored.
		 */
		private DataSize maxRequestSize = DataSize.ofMegabytes(1);

		/**
		 * Final response statuses stored and replayed, as classes (2xx) or single statuses (409); any other
		 * status releases the key so a retry runs. replay-client-errors=false removes 4xx.
		 */
		private List<String> storedStatuses = new ArrayList<>(List.of("2xx", "3xx", "4xx"));

		/**
		 * Per-handler HTTP settings, keyed by operation name (brackets keep dots: [Orders.pay]).
		 */
		private final Map<String, WebHandler> handlers = new LinkedHashMap<>();

		/**
		 * Response header that carries, on a replay, the trace id of the request that did the work (with
		 * tracing on). Off by default: other requests' trace ids are internal.
		 */
		private String originalTraceIdHeader;

		public String getOriginalTraceIdHeader() {
			return this.originalTraceIdHeader;
		}

		public void setOriginalTraceIdHeader(String originalTraceIdHeader) {
			this.originalTraceIdHeader = originalTraceIdHeader;
		}

		public String getHeaderName() {
			return this.headerName;
		}

		public void setHeaderName(String headerName) {
			this.headerName = headerName;
		}

		public boolean isRequired() {
			return this.required;
		}

		public void setRequired(boolean required) {
			this.required = required;
		}

		public List<String> getReplayedHeaders() {
			return this.replayedHeaders;
		}

		public void setReplayedHeaders(List<String> replayedHeaders) {
			this.replayedHeaders = replayedHeaders;
		}

		public boolean isReplayClientErrors() {
			return this.replayClientErrors;
		}

		public void setReplayClientErrors(boolean replayClientErrors) {
			this.replayClientErrors = replayClientErrors;
		}

		public DataSize getMaxResponseSize() {
			return this.maxResponseSize;
		}

		public void setMaxResponseSize(DataSize maxResponseSize) {
			this.maxResponseSize = maxResponseSize;
		}

		public DataSize getMaxRequestSize() {
			return this.maxRequestSize;
		}

		public void setMaxRequestSize(DataSize maxRequestSize) {
			this.maxRequestSize = maxRequestSize;
		}

		public List<String> getStoredStatuses() {
			return this.storedStatuses;
		}

		public void setStoredStatuses(List<String> storedStatuses) {
			this.storedStatuses = storedStatuses;
		}

		public Map<String, WebHandler> getHandlers() {
			return this.handlers;
		}

	}

	/**
	 * HTTP settings of one guarded handler.
	 */
	public static class WebHandler {

		/**
		 * Final statuses stored and replayed for this handler (for example 2xx,4xx,5xx to store server errors
		 * too). Defaults to idempotent.web.stored-statuses.
		 */
		private List<String> storedStatuses;

		/**
		 * SpEL expression over the handler's arguments (and #request) naming the parts of a request that make
		 * it the same request, instead of its whole body; for example #payment.orderId + '/' + #payment.amount.
		 * Method, path and query always count.
		 */
		private String fingerprint;

		public List<String> getStoredStatuses() {
			return this.storedStatuses;
		}

		public void setStoredStatuses(List<String> storedStatuses) {
			this.storedStatuses = storedStatuses;
		}

		public String getFingerprint() {
			return this.fingerprint;
		}

		public void setFingerprint(String fingerprint) {
			this.fingerprint = fingerprint;
		}

	}

	/**
	 * Settings of a guarded operation. Unset values fall back to {@code idempotent.defaults.*}.
	 */
	public static class Operation {

		/**
		 * How long a claim (PROCESSING) is held before another caller may take it over.
		 */
		private Duration lease;

		/**
		 * How long a completed record and its result are kept, and duplicates recognised.
		 */
		private Duration retention;

		/**
		 * Whether a running call renews its lease every third of the lease.
		 */
		private Boolean keepAlive;

		/**
		 * What a call does when the store fails: fail-closed (the call fails) or fail-open (it runs unguarded).
		 * Defaults to idempotent.store.failure-mode.
		 */
		private FailureMode failureMode;

		/**
		 * What a duplicate of a completed key does when its payload differs from the first call's: replay (the
		 * message is acknowledged, counted and logged) or refuse (the message is redelivered, then
		 * dead-lettered).
		 */
		private PayloadMismatch onPayloadMismatch;

		/**
		 * HTTP handlers: whether 4xx responses are stored and replayed (else they release the key). Defaults to
		 * idempotent.web.replay-client-errors.
		 */
		private Boolean replayClientErrors;

		/**
		 * Whether the handler runs in a transaction on the JDBC store's database whose commit also completes the
		 * key, so its writes to that database and the completion commit together or not at all (JDBC store and
		 * a transaction manager for its DataSource required; not for HTTP handlers yet).
		 */
		private Boolean commitWithTransaction;

		/**
		 * Whether duplicates of the keys this instance completed are answered from its near cache, without a
		 * store round trip. Defaults to idempotent.near-cache.enabled.
		 */
		private Boolean nearCache;

		static Operation defaults() {
			Operation operation = new Operation();
			operation.lease = Duration.ofMinutes(1);
			operation.retention = Duration.ofHours(24);
			operation.keepAlive = true;
			operation.commitWithTransaction = false;
			operation.onPayloadMismatch = PayloadMismatch.REPLAY;
			return operation;
		}

		public Boolean getNearCache() {
			return this.nearCache;
		}

		public void setNearCache(Boolean nearCache) {
			this.nearCache = nearCache;
		}

		public Boolean getCommitWithTransaction() {
			return this.commitWithTransaction;
		}

		public void setCommitWithTransaction(Boolean commitWithTransaction) {
			this.commitWithTransaction = commitWithTransaction;
		}

		public PayloadMismatch getOnPayloadMismatch() {
			return this.onPayloadMismatch;
		}

		public void setOnPayloadMismatch(PayloadMismatch onPayloadMismatch) {
			this.onPayloadMismatch = onPayloadMismatch;
		}

		public Duration getLease() {
			return this.lease;
		}

		public void setLease(Duration lease) {
			this.lease = lease;
		}

		public Duration getRetention() {
			return this.retention;
		}

		public void setRetention(Duration retention) {
			this.retention = retention;
		}

		public Boolean getKeepAlive() {
			return this.keepAlive;
		}

		public void setKeepAlive(Boolean keepAlive) {
			this.keepAlive = keepAlive;
		}

		public FailureMode getFailureMode() {
			return this.failureMode;
		}

		public void setFailureMode(FailureMode failureMode) {
			this.failureMode = failureMode;
		}

		public Boolean getReplayClientErrors() {
			return this.replayClientErrors;
		}

		public void setReplayClientErrors(Boolean replayClientErrors) {
			this.replayClientErrors = replayClientErrors;
		}

	}

	/**
	 * The store shared by every guarded operation.
	 */
	public static class Store {

		/**
		 * Store to use. When unset: Redis if a RedisConnectionFactory exists, else JDBC if a DataSource exists,
		 * else in-memory (not shared between instances).
		 */
		private StoreType type;

		/**
		 * What a guarded call does when the store fails, unless its operation overrides it.
		 */
		private FailureMode failureMode = FailureMode.FAIL_CLOSED;

		/**
		 * Largest result, in bytes, any store accepts; the engine checks it before completing, where a larger
		 * result can still be refused cleanly. Keep it above idempotent.web.max-response-size plus the stored
		 * headers.
		 */
		private DataSize maxResultSize = DataSize.ofMegabytes(2);

		private final Jdbc jdbc = new Jdbc();

		private final Redis redis = new Redis();

		private final Memory memory = new Memory();

		public DataSize getMaxResultSize() {
			return this.maxResultSize;
		}

		public void setMaxResultSize(DataSize maxResultSize) {
			this.maxResultSize = maxResultSize;
		}

		public Redis getRedis() {
			return this.redis;
		}

		public Memory getMemory() {
			return this.memory;
		}

		/**
		 * The limit a store enforces, in bytes, capped at what an int holds.
		 * @param override a store-specific override, or null
		 * @return bytes
		 */
		int maxResultBytes(DataSize override) {
			DataSize size = (override != null) ? override : this.maxResultSize;
			return (int) Math.min(Integer.MAX_VALUE - 8, size.toBytes());
		}

		public StoreType getType() {
			return this.type;
		}

		public void setType(StoreType type) {
			this.type = type;
		}

		public FailureMode getFailureMode() {
			return this.failureMode;
		}

		public void setFailureMode(FailureMode failureMode) {
			this.failureMode = failureMode;
		}

		public Jdbc getJdbc() {
			return this.jdbc;
		}

	}

	/**
	 * The JDBC store.
	 */
	public static class Jdbc {

		/**
		 * Name of the table holding idempotency records.
		 */
		private String tableName = "idempotency_record";

		/**
		 * When to create the table from the shipped schema script of the detected database: embedded (only for
		 * an embedded database such as H2), always, or never.
		 */
		private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.EMBEDDED;

		/**
		 * Largest result the JDBC store accepts, when it differs from idempotent.store.max-result-size; a larger
		 * one is refused with an error, never truncated. Checked against the table at start-up.
		 */
		private DataSize maxResultSize;

		/**
		 * Name of the DataSource bean holding the table. Defaults to the only DataSource, or the primary one.
		 */
		private String dataSource;

		/**
		 * Name of the PlatformTransactionManager bean that runs commit-with-transaction calls (on the store's
		 * DataSource). Defaults to the only transaction manager, or the primary one.
		 */
		private String transactionManager;

		public String getTransactionManager() {
			return this.transactionManager;
		}

		public void setTransactionManager(String transactionManager) {
			this.transactionManager = transactionManager;
		}

		public String getDataSource() {
			return this.dataSource;
		}

		public void setDataSource(String dataSource) {
			this.dataSource = dataSource;
		}

		private final Purge purge = new Purge();

		public String getTableName() {
			return this.tableName;
		}

		public void setTableName(String tableName) {
			this.tableName = tableName;
		}

		public DatabaseInitializationMode getInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
			this.initializeSchema = initializeSchema;
		}

		public DataSize getMaxResultSize() {
			return this.maxResultSize;
		}

		public void setMaxResultSize(DataSize maxResultSize) {
			this.maxResultSize = maxResultSize;
		}

		public Purge getPurge() {
			return this.purge;
		}

	}

	/**
	 * The Redis store.
	 */
	public static class Redis {

		/**
		 * Name of the RedisConnectionFactory bean the store uses. Defaults to the only one, or the primary one.
		 */
		private String connectionFactory;

		public String getConnectionFactory() {
			return this.connectionFactory;
		}

		public void setConnectionFactory(String connectionFactory) {
			this.connectionFactory = connectionFactory;
		}

	}

	/**
	 * The in-memory store.
	 */
	public static class Memory {

		/**
		 * Most records held (live, or expired and not yet swept). A claim of a new key beyond it fails as a store
		 * failure (see failure-mode); a live record is never dropped to make room.
		 */
		private int maximumSize = 1_000_000;

		public int getMaximumSize() {
			return this.maximumSize;
		}

		public void setMaximumSize(int maximumSize) {
			this.maximumSize = maximumSize;
		}

	}

	/**
	 * Deletion of expired rows from the JDBC store's table.
	 */
	public static class Purge {

		/**
		 * Whether expired rows are deleted periodically.
		 */
		private boolean enabled = true;

		/**
		 * How often expired rows are deleted.
		 */
		private Duration interval = Duration.ofMinutes(5);

		/**
		 * Rows deleted per statement; each batch is its own short transaction, and a purge runs batches until no
		 * expired row is left.
		 */
		private int batchSize = 1000;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

	}

}
