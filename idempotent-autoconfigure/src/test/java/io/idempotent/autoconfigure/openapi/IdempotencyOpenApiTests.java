package io.idempotent.autoconfigure.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.idempotent.annotation.Idempotent;

/**
 * With springdoc-openapi on the classpath, the generated {@code /v3/api-docs} documents each guarded endpoint's
 * idempotency contract with no annotation from the user, and leaves unguarded endpoints alone.
 */
@SpringBootTest(classes = IdempotencyOpenApiTests.ApiApplication.class,
		properties = { "idempotent.store.type=memory", "idempotent.web.header-name=Idempotency-Key" })
@AutoConfigureMockMvc(addFilters = false)
class IdempotencyOpenApiTests {

	@Autowired
	private MockMvc mvc;

	private String docs;

	@BeforeEach
	void readDocs() throws Exception {
		this.docs = this.mvc.perform(get("/v3/api-docs")).andExpect(status().isOk()).andReturn().getResponse()
			.getContentAsString();
	}

	@Test
	void aHeaderKeyedEndpointDocumentsTheRequiredKeyHeaderWithItsLengthRules() {
		List<Map<String, Object>> header = JsonPath.read(this.docs,
				"$.paths['/orders'].post.parameters[?(@.in == 'header' && @.name == 'Idempotency-Key')]");
		assertThat(header).hasSize(1);
		assertThat(header.get(0)).containsEntry("required", true);
		assertThat(JsonPath.<Integer>read(this.docs,
				"$.paths['/orders'].post.parameters[0].schema.maxLength")).isEqualTo(255);
		assertThat(JsonPath.<Integer>read(this.docs,
				"$.paths['/orders'].post.parameters[0].schema.minLength")).isEqualTo(1);
	}

	@Test
	void aGuardedEndpointDocumentsTheGuardsProblemResponsesAndRetryAfter() {
		Map<String, Object> responses = JsonPath.read(this.docs, "$.paths['/orders'].post.responses");
		assertThat(responses).containsKeys("200", "400", "409", "413", "422", "503");
		for (String status : List.of("400", "409", "413", "422", "503")) {
			assertThat(JsonPath.<Map<String, Object>>read(this.docs,
					"$.paths['/orders'].post.responses['" + status + "'].content"))
				.containsKey("application/problem+json");
		}
		assertThat(JsonPath.<Map<String, Object>>read(this.docs, "$.paths['/orders'].post.responses['409'].headers"))
			.containsKey("Retry-After");
		assertThat(JsonPath.<Map<String, Object>>read(this.docs, "$.paths['/orders'].post.responses['503'].headers"))
			.containsKey("Retry-After");
	}

	@Test
	void successfulAnswersDocumentTheReplayedHeader() {
		assertThat(JsonPath.<Map<String, Object>>read(this.docs, "$.paths['/orders'].post.responses['200'].headers"))
			.containsKey("Idempotent-Replayed");
	}

	@Test
	void aKeyFromAnExpressionNeedsNoHeaderAndCannotBeMalformed() {
		List<Object> header = JsonPath.read(this.docs,
				"$.paths['/captures/{orderId}'].post.parameters[?(@.name == 'Idempotency-Key')]");
		assertThat(header).isEmpty();
		Map<String, Object> responses = JsonPath.read(this.docs, "$.paths['/captures/{orderId}'].post.responses");
		assertThat(responses).containsKeys("409", "422", "503").doesNotContainKey("400");
	}

	@Test
	void anAnnotatedTypeGuardsEachPublicHandler() {
		Map<String, Object> responses = JsonPath.read(this.docs, "$.paths['/refunds'].post.responses");
		assertThat(responses).containsKeys("409", "422", "503");
	}

	@Test
	void unguardedEndpointsAreLeftAlone() {
		Map<String, Object> operation = JsonPath.read(this.docs, "$.paths['/ping'].get");
		assertThat(operation).doesNotContainKey("parameters");
		assertThat(JsonPath.<Map<String, Object>>read(this.docs, "$.paths['/ping'].get.responses"))
			.containsOnlyKeys("200");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ OrdersController.class, RefundsController.class })
	static class ApiApplication {

	}

	@RestController
	static class OrdersController {

		@PostMapping("/orders")
		@Idempotent
		public String order() {
			return "ordered";
		}

		@PostMapping("/captures/{orderId}")
		@Idempotent(key = "#orderId")
		public String capture(@PathVariable String orderId) {
			return "captured " + orderId;
		}

		@GetMapping("/ping")
		public String ping() {
			return "pong";
		}

	}

	@RestController
	@Idempotent(name = "refunds")
	static class RefundsController {

		@PostMapping("/refunds")
		public String refund() {
			return "refunded";
		}

	}

}
