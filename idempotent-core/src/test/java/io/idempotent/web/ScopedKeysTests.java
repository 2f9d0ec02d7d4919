package io.idempotent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * No key sent in one scope equals a key of another, whatever separators either part holds: principals,
 * anonymous callers and custom scope resolvers (tenants with colons, pipes, percent signs) alike.
 */
class ScopedKeysTests {

	@Test
	void noTwoScopeAndKeyPairsShareAStoredKey() {
		List<String> scopes = Arrays.asList(null, "", "alice", "alice|k", "a", "a:b", "s5", "s5:alice", "-", "-:", "%7C", "|",
				"tenant:42", "tenant", "ключ", "a b");
		List<String> keys = List.of("k", "alice|k", "|k", ":k", "b:k", "5:alice:k", "s5:alice:k", "-:k", "alice%7Ck",
				"k|", "42:k", "-:-:k");
		Map<String, String> seen = new HashMap<>();
		for (String scope : scopes) {
			for (String key : keys) {
				String stored = ScopedKeys.of(scope, key);
				String previous = seen.put(stored, scope + " / " + key);
				assertThat(previous).as("%s / %s collides with %s", scope, key, previous).isNull();
			}
		}
	}

	@Test
	void onlyNullIsTheGlobalScopeAndAnEmptyScopeIsNotShared() {
		assertThat(ScopedKeys.of(null, "k")).isEqualTo("-:k");
		assertThat(ScopedKeys.of("", "k")).isNotEqualTo(ScopedKeys.of(null, "k"));
		assertThat(ScopedKeys.of("", "alice|k")).isNotEqualTo(ScopedKeys.of("alice", "k"));
	}

}
