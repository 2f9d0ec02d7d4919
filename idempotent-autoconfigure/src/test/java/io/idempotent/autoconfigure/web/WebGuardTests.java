package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.idempotent.annotation.Idempotent;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;

/**
 * Each numbered rule of the HTTP guard, through MockMvc with the response filter in place, on the in-memory
 * store.
 */
@SpringBootTest(classes = PaymentsTestApplication.class,
		properties = { "idempotent.store.type=memory", "idempotent.web.max-response-size=1KB",
				"idempotent.handlers.[PaymentsController.validated].replay-client-errors=false",
				"idempotent.web.replayed-headers=Content-Type,Location,Set-Cookie,Authorization,WWW-Authenticate,"
						+ "Connection,X-Run",
				"idempotent.web.handlers.[PaymentsController.gatewayDown].stored-statuses=2xx,4xx,5xx",
				"idempotent.web.handlers.[PaymentsController.reordered].fingerprint=#payment.orderId + '/' + #payment.amount",
				"management.endpoints.web.exposure.include=idempotency" })
@AutoConfigureMockMvc
class WebGuardTests {

	@Autowired
	private MockMvc mvc;

	@Test
	void aRetryAfterCompletionGetsTheFirstResponseReplayedByteForByte() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("pay");
		MvcResult first = this.mvc.perform(pay(key, "order-1", 100))
			.andExpect(status().isCreated())
			.andExpect(header().doesNotExist("Idempotent-Replayed"))
			.andReturn();
		MvcResult replay = this.mvc.perform(pay(key, "order-1", 100))
			.andExpect(status().isCreated())
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andReturn();
		assertThat(replay.getResponse().getContentAsByteArray()).isEqualTo(first.getResponse().getContentAsByteArray());
		assertThat(replay.getResponse().getHeader("Location")).isEqualTo(first.getResponse().getHeader("Location"));
		assertThat(replay.getResponse().getContentType()).isEqualTo(first.getResponse().getContentType());
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before + 1);
	}

	@Test
	void aMissingKeyIsA400ProblemAndNothingRuns() throws Exception {
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(post("/payments").contentType(MediaType.APPLICATION_JSON).content(body("o", 1)))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType("application/problem+json"))
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.detail").value("The Idempotency-Key header is required"));
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
	}

	@Test
	void malformedKeysAreA400ProblemAndNothingIsStored() throws Exception {
		int before = PaymentsTestApplication.runs("pay");
		for (String malformed : new String[] { "", "x".repeat(256), "ключ", "two words", "tab\tkey" }) {
			this.mvc.perform(pay(malformed, "o", 1))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentType("application/problem+json"));
		}
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
		this.mvc.perform(pay("x".repeat(255), "o", 1)).andExpect(status().isCreated());
	}

	@Test
	void aKeyWithCrLfIsRefused() throws Exception {
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(pay("abc\r\nSet-Cookie: x=y", "o", 1)).andExpect(status().isBadRequest());
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
	}

	@Test
	void theSameKeyWithADifferentRequestIsA422() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(pay(key, "order-2", 100)).andExpect(status().isCreated());
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(pay(key, "order-2", 999))
			.andExpect(status().isUnprocessableContent())
			.andExpect(content().contentType("application/problem+json"));
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
	}

	@Test
	void aRetryWhileTheFirstRunsIsA409WithRetryAfter() throws Exception {
		String key = UUID.randomUUID().toString();
		Thread first = new Thread(() -> {
			try {
				this.mvc.perform(post("/payments/slow").header("Idempotency-Key", key)
					.contentType(MediaType.APPLICATION_JSON)
					.content(body("order-3", 1)));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		int before = PaymentsTestApplication.runs("slow");
		first.start();
		org.awaitility.Awaitility.await().until(() -> PaymentsTestApplication.runs("slow") == before + 1);
		this.mvc.perform(post("/payments/slow").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body("order-3", 1)))
			.andExpect(status().isConflict())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType("application/problem+json"));
		first.join();
		assertThat(PaymentsTestApplication.runs("slow")).isEqualTo(before + 1);
	}

	@Test
	void aHandlerThatThrowsOrAnswers5xxReleasesTheKeySoARetryRuns() throws Exception {
		String key = UUID.randomUUID().toString();
		MockHttpServletRequestBuilder flaky = post("/payments/flaky").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body("order-4", 1));
		try {
			this.mvc.perform(flaky);
		}
		catch (Exception ex) {
			assertThat(ex).hasRootCauseMessage("gateway timeout");
		}
		this.mvc.perform(flaky).andExpect(status().isOk()).andExpect(jsonPath("$.receiptId").value("r-flaky"));
		this.mvc.perform(flaky).andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("flaky")).isEqualTo(2);

		String other = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/unavailable").header("Idempotency-Key", other))
			.andExpect(status().isServiceUnavailable());
		this.mvc.perform(post("/payments/unavailable").header("Idempotency-Key", other))
			.andExpect(status().isOk())
			.andExpect(content().string("done"));
	}

	@Test
	void clientErrorsAreStoredAndReplayed() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("rejected");
		String first = this.mvc.perform(post("/payments/rejected").header("Idempotency-Key", key))
			.andExpect(status().isBadRequest())
			.andReturn()
			.getResponse()
			.getContentAsString();
		this.mvc.perform(post("/payments/rejected").header("Idempotency-Key", key))
			.andExpect(status().isBadRequest())
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andExpect(content().string(first));
		assertThat(PaymentsTestApplication.runs("rejected")).isEqualTo(before + 1);
	}

	@Test
	void aHandlerConfiguredNotToReplayClientErrorsReleasesTheKeyOnA4xx() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/validated").header("Idempotency-Key", key)).andExpect(status().isBadRequest());
		this.mvc.perform(post("/payments/validated").header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andExpect(header().doesNotExist("Idempotent-Replayed"));
		this.mvc.perform(post("/payments/validated").header("Idempotency-Key", key))
			.andExpect(content().string("accepted"))
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("validated")).isEqualTo(2);
	}

	@Test
	void keysAreScopedPerSpringSecurityPrincipal() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(pay(key, "order-5", 1).header("Authorization", basic("alice")))
			.andExpect(status().isCreated());
		this.mvc.perform(pay(key, "order-5", 1).header("Authorization", basic("bob")))
			.andExpect(status().isCreated())
			.andExpect(header().doesNotExist("Idempotent-Replayed"));
		this.mvc.perform(pay(key, "order-5", 1)).andExpect(header().doesNotExist("Idempotent-Replayed"));
		this.mvc.perform(pay(key, "order-5", 1).header("Authorization", basic("alice")))
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before + 3);
	}

	private static String basic(String user) {
		return "Basic " + java.util.Base64.getEncoder()
			.encodeToString((user + ":secret").getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	@Test
	void voidAndStringHandlersAreReplayed() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/void").header("Idempotency-Key", key)).andExpect(status().isNoContent());
		this.mvc.perform(post("/payments/void").header("Idempotency-Key", key))
			.andExpect(status().isNoContent())
			.andExpect(header().string("Idempotent-Replayed", "true"));
		String text = this.mvc.perform(post("/payments/text").header("Idempotency-Key", key))
			.andReturn()
			.getResponse()
			.getContentAsString();
		this.mvc.perform(post("/payments/text").header("Idempotency-Key", key)).andExpect(content().string(text));
	}

	@Test
	void aKeyExpressionOverAPathVariableNeedsNoHeader() throws Exception {
		int before = PaymentsTestApplication.runs("capture");
		String order = "order-" + UUID.randomUUID();
		this.mvc.perform(post("/payments/orders/" + order + "/capture")).andExpect(status().isOk());
		this.mvc.perform(post("/payments/orders/" + order + "/capture"))
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("capture")).isEqualTo(before + 1);
	}

	@Test
	void aResponseOverTheSizeLimitIsAClearErrorNeverATruncatedReplay() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("big");
		this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("max-response-size")));
		this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("big")).isEqualTo(before + 1);
	}

	@Test
	void aStreamingReturnTypeFailsStartUp() {
		SpringApplication application = new SpringApplication(StreamingApplication.class);
		application.setDefaultProperties(java.util.Map.of("server.port", "0", "idempotent.store.type", "memory"));
		org.assertj.core.api.Assertions.assertThatThrownBy(application::run)
			.hasStackTraceContaining(StreamingController.class.getName() + ".events")
			.hasStackTraceContaining("cannot be stored and replayed");
	}

	// 1. Scopes are unforgeable

	@Test
	void anAnonymousCallerCannotForgeASignedInUsersScope() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(pay(key, "order-a", 1).header("Authorization", basic("alice")))
			.andExpect(status().isCreated());
		int before = PaymentsTestApplication.runs("pay");
		String[] forged = { "alice|" + key, "alice%7C" + key, "s5:alice:" + key, "alice:" + key, "-:" + key,
				"\"" + key + "\"" };
		for (String crafted : forged) {
			this.mvc.perform(pay(crafted, "order-a", 1))
				.andExpect(status().isCreated())
				.andExpect(header().doesNotExist("Idempotent-Replayed"));
		}
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before + forged.length);
	}

	@Test
	void anAnonymousCallerCannotPreClaimASignedInUsersKey() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(pay("alice|" + key, "order-b", 1)).andExpect(status().isCreated());
		this.mvc.perform(pay(key, "order-b", 1).header("Authorization", basic("alice")))
			.andExpect(status().isCreated())
			.andExpect(header().doesNotExist("Idempotent-Replayed"));
	}

	// 3. Replayed headers have a deny-list

	@Test
	void cookiesCredentialsAndHopByHopHeadersAreNeverReplayedWhateverTheConfiguration() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/cookie").header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andExpect(header().exists("Set-Cookie"));
		this.mvc.perform(post("/payments/cookie").header("Idempotency-Key", key))
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andExpect(header().string("X-Run", org.hamcrest.Matchers.notNullValue()))
			.andExpect(header().doesNotExist("Set-Cookie"))
			.andExpect(header().doesNotExist("Authorization"))
			.andExpect(header().doesNotExist("WWW-Authenticate"));
	}

	// 4. The actuator endpoint is read-only by default

	@Test
	void theActuatorEndpointCannotEvictUnlessAccessIsOpenedExplicitly() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/text").header("Idempotency-Key", key)).andExpect(status().isOk());
		MvcResult delete = this.mvc
			.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
				.delete("/actuator/idempotency/PaymentsController.text/" + key))
			.andReturn();
		assertThat(delete.getResponse().getStatus()).isBetween(400, 499);
		this.mvc.perform(post("/payments/text").header("Idempotency-Key", key))
			.andExpect(header().string("Idempotent-Replayed", "true"));
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
			.get("/actuator/idempotency/PaymentsController.text/" + key))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.state").value("COMPLETED"))
			.andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("text "))));
	}

	// 6. The status that reaches the client decides, however it was produced

	@Test
	void aConflictMappedByAnExceptionHandlerIsStoredLikeAReturnedOne() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("capture-twice");
		String first = this.mvc.perform(post("/payments/capture-twice").header("Idempotency-Key", key))
			.andExpect(status().isConflict())
			.andReturn()
			.getResponse()
			.getContentAsString();
		this.mvc.perform(post("/payments/capture-twice").header("Idempotency-Key", key))
			.andExpect(status().isConflict())
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andExpect(content().string(first));
		assertThat(PaymentsTestApplication.runs("capture-twice")).isEqualTo(before + 1);
	}

	@Test
	void aHandlerCanChooseToStoreServerErrorsToo() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/gateway-down").header("Idempotency-Key", key))
			.andExpect(status().isBadGateway());
		this.mvc.perform(post("/payments/gateway-down").header("Idempotency-Key", key))
			.andExpect(status().isBadGateway())
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("gateway-down")).isEqualTo(1);
	}

	// 7. Every return type replays

	@Test
	void aPrimitiveReturnIsReplayed() throws Exception {
		String key = UUID.randomUUID().toString();
		String first = this.mvc.perform(post("/payments/count").header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
		this.mvc.perform(post("/payments/count").header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andExpect(content().string(first));
		this.mvc.perform(post("/payments/count").header("Idempotency-Key", "other-" + key))
			.andExpect(status().isOk())
			.andExpect(content().string(org.hamcrest.Matchers.not(first)));
	}

	@Test
	void aViewIsReplayedAndNotRenderedAgain() throws Exception {
		String key = UUID.randomUUID().toString();
		int renders = PaymentsTestApplication.runs("view-render");
		String first = this.mvc.perform(post("/pages/receipt").header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
		assertThat(first).startsWith("receipt page ");
		this.mvc.perform(post("/pages/receipt").header("Idempotency-Key", key))
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.forwardedUrl(null))
			.andExpect(content().string(first));
		assertThat(PaymentsTestApplication.runs("view-render")).isEqualTo(renders + 1);
	}

	// 8. What makes two requests the same

	@Test
	void anOperationCanNameThePartsOfTheRequestThatMatter() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(post("/payments/reordered").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"orderId\":\"o-8\",\"amount\":8}")).andExpect(status().isOk());
		this.mvc.perform(post("/payments/reordered").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{ \"amount\": 8, \"orderId\": \"o-8\" }"))
			.andExpect(status().isOk())
			.andExpect(header().string("Idempotent-Replayed", "true"));
		this.mvc.perform(post("/payments/reordered").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"amount\":9,\"orderId\":\"o-8\"}"))
			.andExpect(status().isUnprocessableContent());
	}

	@Test
	void withoutAnExpressionReorderedJsonIsADifferentRequest() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(pay(key, "o-9", 9)).andExpect(status().isCreated());
		this.mvc.perform(post("/payments").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"amount\":9,\"orderId\":\"o-9\"}"))
			.andExpect(status().isUnprocessableContent());
	}

	// 9. The key header as browsers send it

	@Test
	void aQuotedKeyAndTheSameBareKeyAreOneKey() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(pay("\"" + key + "\"", "o-q", 1)).andExpect(status().isCreated());
		this.mvc.perform(pay(key, "o-q", 1)).andExpect(header().string("Idempotent-Replayed", "true"));
		this.mvc.perform(pay("\"" + key + "\"", "o-q", 1)).andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before + 1);
	}

	@Test
	void twoKeyHeadersOrABrokenQuotedKeyAreA400() throws Exception {
		int before = PaymentsTestApplication.runs("pay");
		this.mvc.perform(post("/payments").header("Idempotency-Key", "k-1", "k-2")
			.contentType(MediaType.APPLICATION_JSON)
			.content(body("o", 1)))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value("The request has more than one Idempotency-Key header"));
		for (String broken : new String[] { "\"abc", "\"a\"b\"", "\"\"", "\"a b\"", "\"a\\x\"" }) {
			this.mvc.perform(pay(broken, "o", 1)).andExpect(status().isBadRequest());
		}
		assertThat(PaymentsTestApplication.runs("pay")).isEqualTo(before);
	}

	// 10. Unguarded requests pay nothing

	@Test
	void anUnguardedRequestIsLookedUpOnceByTheDispatcherOnlyAndNotWrapped(
			@Autowired PaymentsTestApplication.CountingHandlerMapping mapping) throws Exception {
		for (MockHttpServletRequestBuilder request : new MockHttpServletRequestBuilder[] {
				org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/payments/unguarded"),
				post("/payments/unguarded") }) {
			int before = mapping.lookups.get();
			this.mvc.perform(request)
				.andExpect(status().isOk())
				.andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Captured"))));
			assertThat(mapping.lookups.get()).isEqualTo(before + 1);
		}
	}

	@Test
	void aHeadRequestToAGuardedGetHandlerIsGuardedToo() throws Exception {
		String key = UUID.randomUUID().toString();
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head("/payments/statement")
			.header("Idempotency-Key", key)).andExpect(status().isOk());
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head("/payments/statement")
			.header("Idempotency-Key", key))
			.andExpect(status().isOk())
			.andExpect(header().string("Idempotent-Replayed", "true"));
	}

	// 11. What a client sees

	@Test
	void anOversizedResponseIsAnsweredTheSameToTheFirstCallerAndToRetries() throws Exception {
		String key = UUID.randomUUID().toString();
		MvcResult first = this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(header().doesNotExist("Location"))
			.andReturn();
		MvcResult replay = this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(header().doesNotExist("Location"))
			.andExpect(header().string("Idempotent-Replayed", "true"))
			.andReturn();
		assertThat(replay.getResponse().getContentAsString()).isEqualTo(first.getResponse().getContentAsString());
		assertThat(replay.getResponse().getContentType()).isEqualTo(first.getResponse().getContentType());
	}

	@Test
	void aDifferentRequestWhileTheFirstRunsIsA422AtOnce(@Autowired IdempotencyStore store) throws Exception {
		IdempotencyKey probe = IdempotencyKey.of("probe", UUID.randomUUID().toString());
		store.tryAcquire(probe, java.time.Duration.ofSeconds(5), new byte[] { 1 });
		org.junit.jupiter.api.Assumptions.assumeTrue(
				store.tryAcquire(probe, java.time.Duration.ofSeconds(5), new byte[] { 1 }).fingerprint() != null,
				"the store does not keep fingerprints with claims yet (issue 12)");
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("slow");
		Thread first = new Thread(() -> {
			try {
				this.mvc.perform(post("/payments/slow").header("Idempotency-Key", key)
					.contentType(MediaType.APPLICATION_JSON)
					.content(body("order-11", 1)));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		first.start();
		org.awaitility.Awaitility.await().until(() -> PaymentsTestApplication.runs("slow") == before + 1);
		this.mvc.perform(post("/payments/slow").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body("order-11", 2))).andExpect(status().isUnprocessableContent());
		first.join();
	}

	@Test
	void anInvalidFingerprintExpressionOrStatusListFailsStartUp() {
		for (Map.Entry<String, String> invalid : Map.of(
				"idempotent.web.handlers.[PaymentsController.pay].fingerprint", "#payment.(",
				"idempotent.web.stored-statuses", "2xx,teapot").entrySet()) {
			SpringApplication application = new SpringApplication(PaymentsTestApplication.class);
			application.setDefaultProperties(Map.of("server.port", "0", "idempotent.store.type", "memory",
					invalid.getKey(), invalid.getValue()));
			org.assertj.core.api.Assertions.assertThatThrownBy(application::run)
				.hasStackTraceContaining(invalid.getValue().contains("teapot") ? "'teapot' is not an HTTP status"
						: "Invalid fingerprint expression '#payment.('");
		}
	}

	private static MockHttpServletRequestBuilder pay(String key, String orderId, int amount) {
		return post("/payments").header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body(orderId, amount));
	}

	private static String body(String orderId, int amount) {
		return "{\"orderId\":\"" + orderId + "\",\"amount\":" + amount + "}";
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@org.springframework.context.annotation.Import(StreamingController.class)
	static class StreamingApplication {

	}

	@RestController
	public static class StreamingController {

		@PostMapping("/events")
		@Idempotent
		public SseEmitter events() {
			return new SseEmitter();
		}

	}

}
