package io.idempotent.sample;

import java.util.List;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import io.idempotent.testsupport.EmbeddedRocketMQ;

/**
 * When {@code rocketmq.name-server} is not set, starts a real RocketMQ name server and broker inside this
 * JVM, creates the sample's topic and retry topics, and points {@code rocketmq.name-server} at it. Set
 * {@code rocketmq.name-server=host:port} to use an external broker instead.
 */
public class EmbeddedBrokerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final List<String> CONSUMER_GROUPS = List.of("coupon-service", "red-packet-service");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty("rocketmq.name-server")) {
			return;
		}
		EmbeddedRocketMQ broker = EmbeddedRocketMQ.shared();
		broker.createTopics(List.of(OrderPaid.TOPIC), CONSUMER_GROUPS);
		environment.getPropertySources()
			.addLast(new MapPropertySource("embeddedRocketMQ",
					Map.of("rocketmq.name-server", broker.nameServer())));
	}

	@Override
	public int getOrder() {
		return ConfigDataEnvironmentPostProcessor.ORDER + 1;
	}

}
