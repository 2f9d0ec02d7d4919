package io.idempotent.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A response under {@code idempotent.web.max-response-size} but over what the store keeps
 * ({@code idempotent.store.max-result-size}): the smaller limit must win, so the response is a clear error
 * replayed to duplicates, never a success whose record the store refused (the claim left in progress until its
 * lease ends, then the handler run again).
 */
@SpringBootTest(classes = PaymentsTestApplication.class,
		properties = { "idempotent.store.type=memory", "idempotent.store.max-result-size=2KB",
				"idempotent.web.max-response-size=1MB" })
@AutoConfigureMockMvc
class WebStoreLimitTests {

	@Autowired
	private MockMvc mvc;

	@Test
	void aResponseOverTheStoresLimitIsAClearErrorReplayedToDuplicates() throws Exception {
		String key = UUID.randomUUID().toString();
		int before = PaymentsTestApplication.runs("big");
		this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("max-result-size")));
		this.mvc.perform(post("/payments/big").header("Idempotency-Key", key))
			.andExpect(status().isInternalServerError())
			.andExpect(header().string("Idempotent-Replayed", "true"));
		assertThat(PaymentsTestApplication.runs("big")).isEqualTo(before + 1);
	}

}
