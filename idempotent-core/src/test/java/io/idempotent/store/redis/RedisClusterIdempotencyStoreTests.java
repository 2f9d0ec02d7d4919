package io.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.idempotent.core.IdempotencyKey;
import io.idempotent.store.IdempotencyStore;
import io.idempotent.store.IdempotencyStoreContractTests;
import io.idempotent.testsupport.TestRedisCluster;

/**
 * The same store, unchanged, on a real three-master Redis Cluster: every script touches one key, so each
 * transition is routed to the key's node.
 */
class RedisClusterIdempotencyStoreTests extends IdempotencyStoreContractTests {

	private LettuceConnectionFactory connectionFactory;

	private RedisIdempotencyStore store;

	@BeforeAll
	void connect() {
		this.connectionFactory = new LettuceConnectionFactory(new RedisClusterConfiguration(TestRedisCluster.nodes()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.store = new RedisIdempotencyStore(this.connectionFactory, "cluster-app");
	}

	@AfterAll
	void disconnect() {
		this.connectionFactory.destroy();
	}

	@Override
	protected IdempotencyStore store() {
		return this.store;
	}

	@Test
	void recordsSpreadOverEveryMaster() {
		Set<String> owners = new HashSet<>();
		var cluster = this.connectionFactory.getClusterConnection();
		try {
			for (int i = 0; i < 30; i++) {
				IdempotencyKey key = newKey();
				this.store.tryAcquire(key, Duration.ofMinutes(1));
				RedisClusterNode node = cluster.clusterGetNodeForKey(this.store.redisKey(key).getBytes());
				owners.add(node.getHost() + ":" + node.getPort());
			}
		}
		finally {
			cluster.close();
		}
		assertThat(owners).hasSize(3);
	}

}
