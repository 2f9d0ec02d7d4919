package io.idempotent.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.List;
import java.util.Map;
import java.util.UUID;

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

import io.idempotent.autoconfigure.IdempotencyEndpoint;
import io.idempotent.autoconfigure.web.PaymentsTestApplication;

/**
 * An HTTP call and its retry as traces: the guarded call is a span under the request's, the store round trips
 * are its children, and the replay names the trace of the request that did the work (span attribute, opt-in
 * response header, actuator record). Real MVC (MockMvc) on the in-memory store; each request runs inside its own
 * server observation, as Spring MVC's observation filter would make it.
 */
@SpringBootTest(classes = { PaymentsTestApplication.class, TracingTestConfiguration.class },
		properties = { "idempotent.store.type=memory", "idempotent.observation.key-hash=true",
				"idempotent.web.original-trace-id-header=Idempotent-Original-Trace-Id",
				"management.endpoints.web.exposure.include=idempotency" })
@AutoConfigureMockMvc
class HttpObservationTests {

	private static final String EXECUTION = "idempotent PaymentsController.pay";

	@Autowired
	private MockMvc mvc;

	@Autowired
	private SimpleTracer tracer;

	@Autowired
	private ObservationRegistry registry;

	@Autowired
	private IdempotencyEndpoint endpoint;

	@Test
	void theReplayLinksToTheTraceOfTheRequestThatDidTheWork() throws Exception {
		String key = UUID.randomUUID().toString();
		MockHttpServletResponse first = request("first", key);
		MockHttpServletResponse replay = request("retry", key);

		SimpleSpan firstServer = TracingTestConfiguration.spans(this.tracer, "first").get(0);
		SimpleSpan retryServer = TracingTestConfiguration.spans(this.tracer, "retry").get(0);
		String originalTrace = firstServer.context().traceId();
		assertThat(retryServer.context().traceId()).isNotEqualTo(originalTrace);

		List<SimpleSpan> executions = TracingTestConfiguration.spans(this.tracer, EXECUTION);
		assertThat(executions).hasSize(2);
		SimpleSpan executed = executions.get(0);
		SimpleSpan replayed = executions.get(1);

		// the span tree: request (> Spring MVC's) > idempotent.execution > idempotent.store (acquire)
		assertThat(TracingTestConfiguration.isBelow(this.tracer, executed, firstServer)).isTrue();
		assertThat(executed.getTags()).containsEntry("idempotent.outcome", "executed")
			.containsEntry("idempotent.name", "PaymentsController.pay")
			.containsEntry("idempotent.source", "http")
			.doesNotContainKey("idempotent.original.trace.id");
		assertThat(TracingTestConfiguration.children(this.tracer, executed)).extracting(SimpleSpan::getTags)
			.containsExactly(Map.of("idempotent.store", "memory", "idempotent.transition", "acquire",
					"idempotent.result", "acquired"));
		assertThat(TracingTestConfiguration.isBelow(this.tracer, replayed, retryServer)).isTrue();
		assertThat(replayed.getTags()).containsEntry("idempotent.outcome", "replayed")
			.containsEntry("idempotent.original.trace.id", originalTrace);
		assertThat(TracingTestConfiguration.children(this.tracer, replayed)).extracting(SimpleSpan::getTags)
			.containsExactly(Map.of("idempotent.store", "memory", "idempotent.transition", "acquire",
					"idempotent.result", "completed"));

		// the HTTP path completes after the response is written: still inside the request's trace
		assertThat(TracingTestConfiguration.spans(this.tracer, "idempotent store complete")).singleElement()
			.satisfies((complete) -> assertThat(complete.context().traceId()).isEqualTo(originalTrace));

		// the key is never a tag; its hash is there when asked for
		assertThat(executed.getTags().values()).noneMatch((value) -> value.contains(key));
		assertThat(executed.getTags().get("idempotent.key.hash")).matches("[0-9a-f]{64}");

		assertThat(first.getHeader("Idempotent-Original-Trace-Id")).isNull();
		assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
		assertThat(replay.getHeader("Idempotent-Original-Trace-Id")).isEqualTo(originalTrace);
		assertThat(replay.getContentAsString()).isEqualTo(first.getContentAsString());

		assertThat(this.endpoint.record("PaymentsController.pay", key, null)).containsEntry("state", "COMPLETED")
			.containsEntry("originalTraceId", originalTrace);
	}

	private MockHttpServletResponse request(String name, String key) throws Exception {
		return Observation.createNotStarted(name, this.registry)
			.observeChecked(() -> this.mvc
				.perform(post("/payments").header("Idempotency-Key", key)
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"orderId\":\"order-t\",\"amount\":7}"))
				.andReturn()
				.getResponse());
	}

}
