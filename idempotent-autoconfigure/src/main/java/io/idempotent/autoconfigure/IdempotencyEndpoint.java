package io.idempotent.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import io.idempotent.core.IdempotencyEngine;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.core.TraceLink;
import io.idempotent.key.IdempotentMethod;
import io.idempotent.key.IdempotentMethodRegistry;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.RecordState;
import io.idempotent.web.ScopedKeys;

/**
 * {@code /actuator/idempotency}: the guarded operations with their effective settings;
 * {@code /actuator/idempotency/{name}/{key}}: one record's state and expiry (GET) or its eviction (DELETE),
 * for an operator who must force a reprocess. An eviction also clears the key from this instance's near cache;
 * other instances answer it from theirs until their entry expires ({@code idempotent.near-cache.ttl}). {@code name} is an operation name (or a key namespace). An HTTP
 * operation's key is given as the client sent it, with {@code ?scope=} naming the caller's scope (the
 * principal's name; none for anonymous callers). Record URLs carry keys; no answer ever holds a stored body.
 *
 * <p>Read-only by default, as Boot's own state-changing endpoints: eviction needs
 * {@code management.endpoint.idempotency.access=unrestricted}.
 */
@Endpoint(id = "idempotency", defaultAccess = Access.READ_ONLY)
public class IdempotencyEndpoint {

	private static final String HTTP_SOURCE = "http";

	private static final Duration PROBE_LEASE = Duration.ofSeconds(1);

	private final IdempotencyEngine engine;

	private final IdempotentMethodRegistry registry;

	/**
	 * Creates the endpoint.
	 * @param engine the engine (and its store)
	 * @param registry the guarded methods
	 */
	public IdempotencyEndpoint(IdempotencyEngine engine, IdempotentMethodRegistry registry) {
		this.engine = engine;
		this.registry = registry;
	}

	/**
	 * The guarded operations.
	 * @return the store type and each operation's settings
	 */
	@ReadOperation
	public Map<String, Object> operations() {
		List<Map<String, Object>> operations = this.registry.methods()
			.stream()
			.sorted(Comparator.comparing((IdempotentMethod m) -> m.operation().name()))
			.map(IdempotencyEndpoint::describe)
			.toList();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("store", this.engine.store().type());
		body.put("operations", operations);
		return body;
	}

	/**
	 * One record.
	 * @param name the operation name
	 * @param key the business key, for HTTP operations as the client sent it
	 * @param scope for HTTP operations, the caller's scope (principal name); absent for anonymous callers
	 * @return the record, or null (404) when there is none
	 */
	@ReadOperation
	public Map<String, Object> record(@Selector String name, @Selector String key, @Nullable String scope) {
		IdempotencyKey stored = storedKey(name, key, scope);
		Map<String, Object> description = this.engine.store().find(stored).map(IdempotencyEndpoint::describe).orElse(null);
		if (description != null && RecordState.COMPLETED.name().equals(description.get("state"))) {
			description.put("originalTraceId", originalTraceId(stored));
			description.put("nearCached", this.engine.nearCache().find(stored) != null);
		}
		return description;
	}

	/**
	 * The trace id the completed record was written with. The store SPI offers a record's bytes only through
	 * tryAcquire, which for a completed key changes nothing; a key that expired in between is claimed by that
	 * probe and released at once.
	 */
	private String originalTraceId(IdempotencyKey key) {
		AcquireResult probe = this.engine.store().tryAcquire(key, PROBE_LEASE, null);
		if (probe.status() == AcquireResult.Status.ACQUIRED) {
			this.engine.store().release(key, probe.token());
			return null;
		}
		return (probe.status() == AcquireResult.Status.COMPLETED) ? TraceLink.traceId(probe.result()) : null;
	}

	/**
	 * Evicts one record so the next call for its key runs again.
	 * @param name the operation name
	 * @param key the business key, for HTTP operations as the client sent it
	 * @param scope for HTTP operations, the caller's scope (principal name); absent for anonymous callers
	 * @return whether a live record was evicted
	 */
	@DeleteOperation
	public Map<String, Object> evict(@Selector String name, @Selector String key, @Nullable String scope) {
		// the engine evicts from the store and from this instance's near cache; other instances keep their near-cache
		// entry until it expires (idempotent.near-cache.ttl)
		return Map.of("evicted", this.engine.evict(storedKey(name, key, scope)));
	}

	private IdempotencyKey storedKey(String name, String key, String scope) {
		IdempotentMethod method = this.registry.methods()
			.stream()
			.filter((m) -> m.operation().name().equals(name))
			.findFirst()
			.orElse(null);
		if (method == null) {
			return IdempotencyKey.of(name, key);
		}
		boolean http = HTTP_SOURCE.equals(method.operation().source());
		return IdempotencyKey.of(method.keyNamespace(), http ? ScopedKeys.of(scope, key) : key);
	}

	private static Map<String, Object> describe(IdempotentMethod method) {
		IdempotencySettings settings = method.operation().settings();
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("name", method.operation().name());
		description.put("source", method.operation().source());
		description.put("method", method.describe());
		description.put("key", method.keyExpressionSource().isEmpty() ? null : method.keyExpressionSource());
		description.put("keyNamespace", method.keyNamespace());
		description.put("lease", settings.lease().toString());
		description.put("retention", settings.retention().toString());
		description.put("keepAlive", settings.keepAlive());
		description.put("failureMode", settings.failureMode().name());
		description.put("nearCache", settings.nearCache());
		return description;
	}

	private static Map<String, Object> describe(IdempotencyRecord record) {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("state", record.state().name());
		description.put("expiresAt", (record.expiresAt().equals(Instant.MAX)) ? null : record.expiresAt().toString());
		description.put("resultSize", record.resultSize());
		return description;
	}

}
