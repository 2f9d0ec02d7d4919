package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import io.idempotent.store.IdempotencyKey;

class IdempotencyKeyTests {

	@Test
	void shortPrintableKeysAreStoredAsGiven() {
		assertThat(IdempotencyKey.of("op", "order-42").value()).isEqualTo("order-42");
	}

	@Test
	void longOrNonAsciiKeysAreStoredAsAStableHash() {
		String longKey = "x".repeat(10_000);
		IdempotencyKey key = IdempotencyKey.of("op", longKey);
		assertThat(key.value()).startsWith("sha256:").hasSize(7 + 64);
		assertThat(IdempotencyKey.of("op", longKey)).isEqualTo(key);
		assertThat(IdempotencyKey.of("op", "订单-1").value()).startsWith("sha256:");
		assertThat(IdempotencyKey.of("op", "sha256:forged").value()).isNotEqualTo("sha256:forged");
	}

	@Test
	void toStringNeverShowsTheKey() {
		assertThat(IdempotencyKey.of("op", "secret-email@example.com").toString()).doesNotContain("secret");
	}

}
