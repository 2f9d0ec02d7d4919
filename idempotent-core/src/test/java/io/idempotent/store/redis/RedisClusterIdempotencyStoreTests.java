package io.idempotent.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisClusterNode;

import io.idempotent.store.IdempotencyKey;
import io.idempotent.testsupport.TestRedisCluster;

/**
 * The same store, unchanged, on a real three-master Redis Cluster: every script touches one key, so each
 * transition is routed to the key's node.
 */
class RedisClusterIdempotencyStoreTests extends RedisStoreContractTests {

	@Override
	RedisConfiguration configuration() {
		return new RedisClusterConfiguration(TestRedisCluster.nodes());
	}

	@Override
	String prefix() {
		return "cluster-app";
	}

	@Test
	void recordsSpreadOverEveryMaster() {
		Set<String> owners = new HashSet<>();
		var cluster = connectionFactory().getClusterConnection();
		try {
			for (int i = 0; i < 30; i++) {
				IdempotencyKey key = newKey();
				redisStore().tryAcquire(key, Duration.ofMinutes(1));
				RedisClusterNode node = cluster.clusterGetNodeForKey(redisStore().redisKey(key).getBytes());
				owners.add(node.getHost() + ":" + node.getPort());
			}
		}
		finally {
			cluster.close();
		}
		assertThat(owners).hasSize(3);
	}

}
