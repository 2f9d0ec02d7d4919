package io.idempotent.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.servlet.MockMvc;

import io.idempotent.annotation.Idempotent;
import io.idempotent.core.IdempotencyInProgressException;
import io.idempotent.store.IdempotencyKey;
import io.idempotent.store.AcquireResult;
import io.idempotent.store.IdempotencyRecord;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreException;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * The shipped Grafana dashboard cannot rot: every meter and tag its queries use is one a running application
 * really exposes at {@code /actuator/prometheus}, after each kind of event (a run, duplicates completed and in
 * progress, a near-cache hit, a fenced call, a fail-open call, store calls) has happened once.
 */
@SpringBootTest(classes = GrafanaDashboardTests.DashboardApplication.class, properties = {
		"management.endpoints.web.exposure.include=prometheus",
		"management.metrics.tags.application=dashboard-test",
		"management.metrics.distribution.percentiles-histogram.idempotent.store.operations=true",
		"idempotent.handlers.[dash.slow].lease=1s", "idempotent.handlers.[dash.slow].keep-alive=false",
		"idempotent.handlers.[dash.flaky].failure-mode=fail-open", "idempotent.handlers.[dash.run].near-cache=true" })
@AutoConfigureMockMvc(addFilters = false)
class GrafanaDashboardTests {

	static final Path DASHBOARD = Path.of("..", "grafana", "idempotent-dashboard.json");

	private static final Pattern METRIC = Pattern.compile("\\b(idempotent_[a-z_]+)");

	private static final Pattern SELECTOR = Pattern.compile("(idempotent_[a-z_]+)\\{([^}]*)}");

	private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*(=~|!~|!=|=)");

	private static final Pattern GROUPING = Pattern.compile("\\bby\\s*\\(([^)]*)\\)[^(]*\\(+[a-z_]*\\(?\\s*(idempotent_[a-z_]+)");

	@Autowired
	private MockMvc mvc;

	@Autowired
	private Work work;

	@Autowired
	private MovableClock clock;

	@Test
	void everyMeterAndTagTheDashboardQueriesIsExposed() throws Exception {
		happenOnceEach();
		String scrape = this.mvc.perform(get("/actuator/prometheus"))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
		Map<String, Set<String>> exposed = exposedLabels(scrape);
		Map<String, Set<String>> queried = queriedLabels(dashboardQueries());
		assertThat(queried).as("meters the dashboard queries").containsKeys("idempotent_executions_seconds_count",
				"idempotent_duplicates_total", "idempotent_fenced_total", "idempotent_unguarded_total",
				"idempotent_store_operations_seconds_bucket", "idempotent_store_operations_seconds_count",
				"idempotent_near_cache_size");
		assertThat(queried.get("idempotent_fenced_total")).contains("name", "transition", "application");
		assertThat(queried.get("idempotent_duplicates_total")).contains("level", "state");
		queried.forEach((metric, labels) -> {
			assertThat(exposed).as("/actuator/prometheus exposes " + metric).containsKey(metric);
			assertThat(exposed.get(metric)).as("labels of " + metric).containsAll(labels);
		});
		// a label matched for one exact value (state="in_progress", outcome="error") selects nothing, and its
		// panel stays empty, when the application writes that value differently
		Map<String, Set<String>> selected = selectedValues(dashboardQueries());
		assertThat(selected).as("exact label values the dashboard selects")
			.containsKeys("idempotent_duplicates_total", "idempotent_store_operations_seconds_count");
		Map<String, Set<String>> exposedValues = exposedValues(scrape);
		selected.forEach((metric, values) -> assertThat(exposedValues.getOrDefault(metric, Set.of()))
			.as("label values of " + metric + " in /actuator/prometheus")
			.containsAll(values));
	}

	static Map<String, Set<String>> selectedValues(List<String> queries) {
		Map<String, Set<String>> values = new HashMap<>();
		Pattern exact = Pattern.compile("([a-z_]+)\\s*=\\s*\"([^\"$]*)\"");
		for (String query : queries) {
			Matcher selector = SELECTOR.matcher(query);
			while (selector.find()) {
				Matcher value = exact.matcher(selector.group(2));
				while (value.find()) {
					values.computeIfAbsent(selector.group(1), (name) -> new HashSet<>())
						.add(value.group(1) + "=" + value.group(2));
				}
			}
		}
		return values;
	}

	static Map<String, Set<String>> exposedValues(String scrape) {
		Map<String, Set<String>> values = new HashMap<>();
		Pattern pair = Pattern.compile("([a-zA-Z_]+)=\"([^\"]*)\"");
		for (String line : scrape.split("\n")) {
			int brace = line.indexOf('{');
			if (line.isBlank() || line.startsWith("#") || brace < 0) {
				continue;
			}
			Matcher label = pair.matcher(line.substring(brace, line.indexOf('}')));
			while (label.find()) {
				values.computeIfAbsent(line.substring(0, brace), (name) -> new HashSet<>())
					.add(label.group(1) + "=" + label.group(2));
			}
		}
		return values;
	}

	@Test
	void queriesAreReadForEveryMeterAndLabelTheyUse() {
		Map<String, Set<String>> labels = queriedLabels(List.of(
				"sum by (store, op) (rate(idempotent_x_seconds_count{application=~\"$a\", outcome=\"error\"}[1m]))",
				"label_values(idempotent_y_total, name)"));
		assertThat(labels).containsOnlyKeys("idempotent_x_seconds_count", "idempotent_y_total");
		assertThat(labels.get("idempotent_x_seconds_count")).containsExactlyInAnyOrder("store", "op", "application",
				"outcome");
		assertThat(labels.get("idempotent_y_total")).containsExactly("name");
	}

	private void happenOnceEach() throws Exception {
		this.work.run("a");
		this.work.run("a");
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<Void> stale = CompletableFuture.runAsync(() -> this.work.slow("k", started, release));
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		assertThatThrownBy(() -> this.work.slow("k", new CountDownLatch(1), new CountDownLatch(0)))
			.isInstanceOf(IdempotencyInProgressException.class);
		this.clock.advance(Duration.ofSeconds(2));
		CountDownLatch done = new CountDownLatch(0);
		this.work.slow("k", new CountDownLatch(1), done);
		release.countDown();
		stale.get(10, TimeUnit.SECONDS);
		this.work.flaky("f");
	}

	private static List<String> dashboardQueries() throws Exception {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		List<String> queries = new ArrayList<>();
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.get("targets")) {
				queries.add(target.get("expr").asString());
			}
		}
		for (JsonNode variable : dashboard.get("templating").get("list")) {
			if (variable.has("definition")) {
				queries.add(variable.get("definition").asString());
			}
		}
		return queries;
	}

	static Map<String, Set<String>> queriedLabels(List<String> queries) {
		Map<String, Set<String>> labels = new HashMap<>();
		for (String query : queries) {
			Matcher metric = METRIC.matcher(query);
			while (metric.find()) {
				labels.computeIfAbsent(metric.group(1), (name) -> new HashSet<>());
			}
			Matcher selector = SELECTOR.matcher(query);
			while (selector.find()) {
				Matcher label = LABEL.matcher(selector.group(2));
				while (label.find()) {
					labels.get(selector.group(1)).add(label.group(1));
				}
			}
			Matcher grouping = GROUPING.matcher(query);
			while (grouping.find()) {
				for (String label : grouping.group(1).split(",")) {
					labels.get(grouping.group(2)).add(label.trim());
				}
			}
			Matcher values = Pattern.compile("label_values\\((idempotent_[a-z_]+)[^,]*,\\s*([a-z_]+)\\)").matcher(query);
			while (values.find()) {
				labels.get(values.group(1)).add(values.group(2));
			}
		}
		return labels;
	}

	static Map<String, Set<String>> exposedLabels(String scrape) {
		Map<String, Set<String>> labels = new HashMap<>();
		for (String line : scrape.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.indexOf(' ');
			String metric = line.substring(0, (brace >= 0 && brace < space) ? brace : space);
			Set<String> names = labels.computeIfAbsent(metric, (name) -> new HashSet<>());
			if (brace >= 0 && brace < space) {
				Matcher label = Pattern.compile("([a-zA-Z_]+)=\"").matcher(line.substring(brace, line.indexOf('}')));
				while (label.find()) {
					names.add(label.group(1));
				}
			}
		}
		return labels;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class DashboardApplication {

		@Bean
		MovableClock movableClock() {
			return new MovableClock();
		}

		@Bean
		IdempotencyStore flakyMemoryStore(MovableClock clock) {
			return new FlakyStore(new InMemoryIdempotencyStore(clock::nanos));
		}

		@Bean
		Work work() {
			return new Work();
		}

	}

	/** Guarded methods, one per kind of event. */
	static class Work {

		@Idempotent(key = "#id", name = "dash.run")
		public String run(String id) {
			return "ran " + id;
		}

		@Idempotent(key = "#id", name = "dash.slow")
		public void slow(String id, CountDownLatch started, CountDownLatch release) {
			started.countDown();
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		@Idempotent(key = "#id", name = "dash.flaky")
		public String flaky(String id) {
			return "ran unguarded " + id;
		}

	}

	/** A clock the test moves forward, so a lease expires without waiting for it. */
	static class MovableClock {

		private final AtomicLong offset = new AtomicLong();

		long nanos() {
			return System.nanoTime() + this.offset.get();
		}

		void advance(Duration duration) {
			this.offset.addAndGet(duration.toNanos());
		}

	}

	/** The real in-memory store, failing every claim of operation {@code dash.flaky} (fail-open there). */
	static class FlakyStore implements IdempotencyStore {

		private final IdempotencyStore delegate;

		FlakyStore(IdempotencyStore delegate) {
			this.delegate = delegate;
		}

		@Override
		public AcquireResult tryAcquire(IdempotencyKey key, Duration lease) {
			if (key.name().contains("dash.flaky")) {
				throw new IdempotencyStoreException("store down (test)");
			}
			return this.delegate.tryAcquire(key, lease);
		}

		@Override
		public boolean complete(IdempotencyKey key, String token, byte[] result, Duration retention) {
			return this.delegate.complete(key, token, result, retention);
		}

		@Override
		public boolean release(IdempotencyKey key, String token) {
			return this.delegate.release(key, token);
		}

		@Override
		public boolean renew(IdempotencyKey key, String token, Duration lease) {
			return this.delegate.renew(key, token, lease);
		}

		@Override
		public Optional<IdempotencyRecord> find(IdempotencyKey key) {
			return this.delegate.find(key);
		}

		@Override
		public boolean evict(IdempotencyKey key) {
			return this.delegate.evict(key);
		}

		@Override
		public String type() {
			return this.delegate.type();
		}

	}

}
