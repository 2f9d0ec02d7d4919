package io.idempotent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The trace id envelope inside stored results: round trip, and bytes without it (records written before it, or
 * with tracing off) read unchanged.
 */
class TraceLinkTests {

	private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

	@Test
	void aWrappedResultGivesBackItsTraceIdAndTheResultUnchanged() {
		byte[] json = "{\"status\":\"PAID\"}".getBytes(StandardCharsets.UTF_8);
		byte[] stored = TraceLink.wrap(TRACE, json);
		assertThat(stored.length).isLessThanOrEqualTo(json.length + TraceLink.OVERHEAD);
		assertThat(TraceLink.traceId(stored)).isEqualTo(TRACE);
		assertThat(TraceLink.unwrap(stored)).isEqualTo(json);
	}

	@Test
	void bytesWithoutTheEnvelopeReadUnchanged() {
		byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
		assertThat(TraceLink.traceId(json)).isNull();
		assertThat(TraceLink.unwrap(json)).isSameAs(json);
		assertThat(TraceLink.unwrap(new byte[0])).isEmpty();
		assertThat(TraceLink.traceId(null)).isNull();
		byte[] marker = UnstorableResult.marker("too large");
		assertThat(TraceLink.unwrap(marker)).isSameAs(marker);
	}

	@Test
	void noTraceIdLeavesTheResultAsItIs() {
		byte[] json = "[]".getBytes(StandardCharsets.UTF_8);
		assertThat(TraceLink.wrap(null, json)).isSameAs(json);
		assertThat(TraceLink.wrap("", json)).isSameAs(json);
		assertThat(TraceLink.wrap("x".repeat(TraceLink.MAX_TRACE_ID_LENGTH + 1), json)).isSameAs(json);
	}

	@Test
	void anUnstorableMarkerKeepsItsMeaningInsideTheEnvelope() {
		byte[] stored = TraceLink.wrap(TRACE, UnstorableResult.marker("its 3 MB exceed the store's limit"));
		assertThat(UnstorableResult.isMarker(TraceLink.unwrap(stored))).isTrue();
		assertThat(TraceLink.traceId(stored)).isEqualTo(TRACE);
	}

}
