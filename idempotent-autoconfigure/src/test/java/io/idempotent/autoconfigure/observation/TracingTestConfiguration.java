package io.idempotent.autoconfigure.observation;

import java.util.List;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer Tracing's in-memory tracer behind the application's observation registry, so a test reads the spans
 * its calls produced.
 */
@Configuration(proxyBeanMethods = false)
public class TracingTestConfiguration {

	@Bean
	SimpleTracer simpleTracer() {
		return new SimpleTracer();
	}

	@Bean
	ObservationRegistry observationRegistry(SimpleTracer tracer) {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
		return registry;
	}

	/**
	 * The finished spans with a name.
	 * @param tracer the tracer
	 * @param name the span name
	 * @return the spans, oldest first
	 */
	public static List<SimpleSpan> spans(SimpleTracer tracer, String name) {
		return tracer.getSpans().stream().filter((span) -> name.equals(span.getName())).toList();
	}

	/**
	 * Whether a span sits below another (directly, or under spans in between such as Spring MVC's own).
	 * @param tracer the tracer
	 * @param span the span
	 * @param ancestor the supposed ancestor
	 * @return true when the ancestor is on the span's parent chain
	 */
	public static boolean isBelow(SimpleTracer tracer, SimpleSpan span, SimpleSpan ancestor) {
		String parent = span.context().parentId();
		for (int depth = 0; parent != null && depth < 10; depth++) {
			if (parent.equals(ancestor.context().spanId())) {
				return true;
			}
			String id = parent;
			parent = tracer.getSpans()
				.stream()
				.filter((candidate) -> id.equals(candidate.context().spanId()))
				.map((candidate) -> candidate.context().parentId())
				.findFirst()
				.orElse(null);
		}
		return false;
	}

	/**
	 * The finished children of a span.
	 * @param tracer the tracer
	 * @param parent the parent span
	 * @return the children, oldest first
	 */
	public static List<SimpleSpan> children(SimpleTracer tracer, SimpleSpan parent) {
		return tracer.getSpans()
			.stream()
			.filter((span) -> parent.context().spanId().equals(span.context().parentId()))
			.toList();
	}

}
