package io.idempotent.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

import io.idempotent.autoconfigure.web.PaymentsTestApplication;
import io.idempotent.cache.CaffeineNearCache;
import io.idempotent.core.NearCache;

/**
 * An HTTP replay answered from the near cache is the replay the store gives, byte for byte: the same status,
 * body, stored headers ({@code Location}, {@code Content-Type}, the handler's {@code X-Run}) and original trace
 * id (header and span attribute), with no store round trip; it is counted at the {@code near} level. Real MVC (MockMvc) on the in-memory
 * store with tracing.
 */
@SpringBootTest(classes = { PaymentsTestApplication.class, TracingTestConfiguration.class },
		properties = { "idempotent.store.type=memory", "idempotent.near-cache.enabled=true",
				"idempotent.web.replayed-headers=Content-Type,Location,X-Run",
				"idempotent.web.original-trace-id-header=Idempotent-Original-Trace-Id" })
@AutoConfigureMockMvc
class HttpNearCacheTests {

	private static final List<String> HEADERS = List.of("Content-Type", "Location", "X-Run", "Idempotent-Replayed",
			"Idempotent-Original-Trace-Id");

	@Autowired
	private MockMvc mvc;

	@Autowired
	private SimpleTracer tracer;

	@Autowired
	private ObservationRegistry registry;

	@Autowired
	private NearCache nearCache;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aReplayFromTheNearCacheIsTheStoresReplayByteForByte() throws Exception {
		String key = UUID.randomUUID().toString();
		MockHttpServletResponse first = request("near-first", key);
		MockHttpServletResponse nearReplay = request("near-retry", key);
		((CaffeineNearCache) this.nearCache).clear();
		MockHttpServletResponse storeReplay = request("store-retry", key);

		assertThat(first.getStatus()).isEqualTo(201);
		String originalTrace = TracingTestConfiguration.spans(this.tracer, "near-first").get(0).context().traceId();
		assertThat(nearReplay.getStatus()).isEqualTo(storeReplay.getStatus()).isEqualTo(201);
		assertThat(nearReplay.getContentAsByteArray()).isEqualTo(storeReplay.getContentAsByteArray())
			.isEqualTo(first.getContentAsByteArray());
		for (String header : HEADERS) {
			assertThat(nearReplay.getHeaders(header)).as(header).isEqualTo(storeReplay.getHeaders(header));
		}
		assertThat(nearReplay.getHeader("Location")).isEqualTo(first.getHeader("Location"));
		assertThat(nearReplay.getHeader("Idempotent-Replayed")).isEqualTo("true");
		assertThat(nearReplay.getHeader("Idempotent-Original-Trace-Id")).isEqualTo(originalTrace);

		// the near replay made no store round trip; the store replay made one
		List<SimpleSpan> executions = TracingTestConfiguration.spans(this.tracer, "idempotent PaymentsController.pay");
		assertThat(executions).hasSize(3);
		assertThat(TracingTestConfiguration.children(this.tracer, executions.get(1))).isEmpty();
		assertThat(executions.get(1).getTags()).containsEntry("idempotent.outcome", "replayed")
			.containsEntry("idempotent.original.trace.id", originalTrace);
		assertThat(executions.get(2).getTags()).containsEntry("idempotent.original.trace.id", originalTrace);
		assertThat(TracingTestConfiguration.children(this.tracer, executions.get(2))).hasSize(1);
		assertThat(this.meters.get("idempotent.duplicates")
			.tag("name", "PaymentsController.pay")
			.tag("state", "completed")
			.tag("level", "near")
			.counter()
			.count()).isEqualTo(1);
	}

	private MockHttpServletResponse request(String name, String key) throws Exception {
		return Observation.createNotStarted(name, this.registry)
			.observeChecked(() -> this.mvc
				.perform(post("/payments").header("Idempotency-Key", key)
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"orderId\":\"order-n\",\"amount\":7}"))
				.andReturn()
				.getResponse());
	}

}
