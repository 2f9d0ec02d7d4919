package io.idempotent.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

/**
 * {@code idempotent.enabled=false} switches every idempotent auto-configuration off, including the ones that
 * only wait for a Micrometer registry: an application with an {@link ObservationRegistry} (every Boot web
 * application with actuator) once failed to start because the observation auto-configuration ignored the switch
 * and asked for the properties bean that the disabled configuration no longer made.
 */
class DisabledAutoConfigurationTests {

	@Test
	void disabledStartsWithMicrometerAndMakesNoIdempotentBean() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(allIdempotentAutoConfigurations()))
			.withUserConfiguration(Registries.class)
			.withPropertyValues("idempotent.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<String> ours = Arrays.stream(context.getBeanDefinitionNames())
					.filter((name) -> {
						Class<?> type = context.getType(name);
						return type != null && type.getName().startsWith("io.idempotent.")
								&& !type.getName().startsWith(DisabledAutoConfigurationTests.class.getName())
								&& !type.isAnnotationPresent(AutoConfiguration.class);
					})
					.toList();
				assertThat(ours).as("idempotent beans made while disabled").isEmpty();
			});
	}

	private static Class<?>[] allIdempotentAutoConfigurations() {
		List<Class<?>> classes = new ArrayList<>();
		for (String name : ImportCandidates.load(AutoConfiguration.class, null)) {
			if (name.startsWith("io.idempotent.")) {
				try {
					classes.add(Class.forName(name));
				}
				catch (ClassNotFoundException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}
		assertThat(classes).hasSizeGreaterThanOrEqualTo(8);
		return classes.toArray(Class<?>[]::new);
	}

	@Configuration(proxyBeanMethods = false)
	static class Registries {

		@Bean
		ObservationRegistry observationRegistry() {
			return ObservationRegistry.create();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
