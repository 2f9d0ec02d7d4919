package io.idempotent.autoconfigure.web;

import java.util.function.Supplier;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.idempotent.web.IdempotentResponseFilter;

/**
 * What {@link IdempotentResponseFilter} costs a request that reaches no guarded handler, against the bare
 * filter chain, in the application's real handler mappings (the payments API plus actuator). A measurement,
 * not a test: run it with
 * {@code ./mvnw -B verify -pl idempotent-autoconfigure -am -Dtest=UnguardedRequestCostMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dbench.filter=true} and read the printed table.
 */
@SpringBootTest(classes = PaymentsTestApplication.class,
		properties = { "idempotent.store.type=memory", "idempotent.web.max-request-size=8MB" })
@org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc
@EnabledIfSystemProperty(named = "bench.filter", matches = "true")
class UnguardedRequestCostMeasurement {

	private static final int WARM_UP = 100_000;

	private static final int MEASURED = 300_000;

	private static final FilterChain NOTHING = (request, response) -> {
	};

	@Autowired
	private IdempotentResponseFilter filter;

	@Test
	void measure() throws Throwable {
		StringBuilder table = new StringBuilder("\n| request | bare chain | through the filter | added |\n|---|---|---|---|\n");
		row(table, "GET /payments/unguarded (no guarded GET exists)", () -> request("GET", "/payments/unguarded"));
		row(table, "POST /payments/unguarded (guarded POSTs exist)", () -> request("POST", "/payments/unguarded"));
		row(table, "POST /actuator/unknown", () -> request("POST", "/actuator/unknown"));
		System.out.println(table);
		System.out.println(allocations());
	}

	@Autowired
	private org.springframework.test.web.servlet.MockMvc mvc;

	/**
	 * Heap allocated by one 5 MiB JSON request bound with {@code @RequestBody}, guarded and not (MockMvc runs
	 * it on this thread, so the thread's allocation counter sees all of it).
	 */
	private String allocations() throws Throwable {
		String json = "{\"orderId\":\"" + "x".repeat(5 * 1024 * 1024) + "\",\"amount\":1}";
		long unguarded = Long.MAX_VALUE;
		long guarded = Long.MAX_VALUE;
		for (int round = 0; round < 5; round++) {
			unguarded = Math.min(unguarded, allocated(() -> this.mvc.perform(
					org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post("/payments/unguarded-json")
						.contentType("application/json")
						.content(json))));
			guarded = Math.min(guarded, allocated(() -> this.mvc.perform(
					org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post("/payments/guarded-json")
						.header("Idempotency-Key", java.util.UUID.randomUUID().toString())
						.contentType("application/json")
						.content(json))));
		}
		return String.format("%n| 5 MiB JSON body, @RequestBody | unguarded | guarded | added |%n|---|---|---|---|%n"
				+ "| heap allocated per request | %.1f MiB | %.1f MiB | %+.1f MiB |%n", unguarded / 1048576.0,
				guarded / 1048576.0, (guarded - unguarded) / 1048576.0);
	}

	private static long allocated(org.junit.jupiter.api.function.Executable request) throws Throwable {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		request.execute();
		return threads.getCurrentThreadAllocatedBytes() - before;
	}

	private void row(StringBuilder table, String name, Supplier<HttpServletRequest> requests) throws Exception {
		double bare = Double.MAX_VALUE;
		double filtered = Double.MAX_VALUE;
		for (int round = 0; round < 6; round++) { // interleaved, best of six: the least disturbed run
			bare = Math.min(bare, time(requests, false));
			filtered = Math.min(filtered, time(requests, true));
		}
		table.append(String.format("| %s | %.0f ns | %.0f ns | %+.0f ns |%n", name, bare, filtered, filtered - bare));
	}

	private double time(Supplier<HttpServletRequest> requests, boolean throughFilter) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		for (int i = 0; i < WARM_UP; i++) {
			call(requests.get(), response, throughFilter);
		}
		long start = System.nanoTime();
		for (int i = 0; i < MEASURED; i++) {
			call(requests.get(), response, throughFilter);
		}
		return (System.nanoTime() - start) / (double) MEASURED;
	}

	private void call(HttpServletRequest request, MockHttpServletResponse response, boolean throughFilter)
			throws Exception {
		if (throughFilter) {
			this.filter.doFilter(request, response, NOTHING);
		}
		else {
			NOTHING.doFilter(request, response);
		}
	}

	private static HttpServletRequest request(String method, String path) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, path);
		request.setContentType("application/json");
		return request;
	}

}
