package io.idempotent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.common.TlsMode;
import org.apache.rocketmq.remoting.netty.TlsSystemConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.store.config.MessageStoreConfig;

/**
 * A real RocketMQ 5.3 name server and broker running inside this JVM (no Docker), on random loopback ports with
 * their stores in a temporary directory. Retries come back about one second apart (every delay level is 1 s),
 * not after 10 s, 30 s, 1 min ... Used by the tests, and by the sample when no external name server is
 * configured.
 *
 * <p>What made it stable (see shared notes): the remoting version property is set before either server
 * starts; the broker registers until the name server lists it; topics and each group's retry topic are created
 * up front, so consumers do not wait for the 30 s route refresh.
 */
public final class EmbeddedRocketMQ implements AutoCloseable {

	private static final String DELAY_LEVELS = String.join(" ", Collections.nCopies(18, "1s"));

	private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

	private static EmbeddedRocketMQ shared;

	private final Path home;

	private final NamesrvController nameServer;

	private final BrokerController broker;

	private final String nameServerAddress;

	private EmbeddedRocketMQ(Path home) throws Exception {
		this.home = home;
		System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
		System.setProperty("rocketmq.home.dir", home.toString());
		System.setProperty(MixAll.ROCKETMQ_HOME_PROPERTY, home.toString());
		// plain TCP on loopback: "permissive" TLS writes a self-signed key and certificate to java.io.tmpdir
		TlsSystemConfig.tlsMode = TlsMode.DISABLED;

		NamesrvConfig namesrvConfig = new NamesrvConfig();
		namesrvConfig.setRocketmqHome(home.toString());
		namesrvConfig.setKvConfigPath(home.resolve("namesrv/kvConfig.json").toString());
		namesrvConfig.setConfigStorePath(home.resolve("namesrv/namesrv.properties").toString());
		NettyServerConfig namesrvNetty = new NettyServerConfig();
		namesrvNetty.setBindAddress("127.0.0.1");
		namesrvNetty.setListenPort(0);
		this.nameServer = new NamesrvController(namesrvConfig, namesrvNetty, new NettyClientConfig());
		if (!this.nameServer.initialize()) {
			throw new IllegalStateException("RocketMQ name server did not initialize");
		}
		this.nameServer.start();
		this.nameServerAddress = "127.0.0.1:" + this.nameServer.getRemotingServer().localListenPort();

		BrokerConfig brokerConfig = new BrokerConfig();
		brokerConfig.setRocketmqHome(home.toString());
		brokerConfig.setBrokerName("embedded-broker");
		brokerConfig.setBrokerClusterName("embedded-cluster");
		brokerConfig.setBrokerIP1("127.0.0.1");
		brokerConfig.setNamesrvAddr(this.nameServerAddress);
		brokerConfig.setAutoCreateTopicEnable(true);
		brokerConfig.setAutoCreateSubscriptionGroup(true);
		brokerConfig.setEnablePropertyFilter(true);
		NettyServerConfig brokerNetty = new NettyServerConfig();
		brokerNetty.setBindAddress("127.0.0.1");
		brokerNetty.setListenPort(0);
		MessageStoreConfig store = new MessageStoreConfig();
		store.setStorePathRootDir(home.resolve("store").toString());
		store.setStorePathCommitLog(home.resolve("store/commitlog").toString());
		store.setMappedFileSizeCommitLog(64 * 1024 * 1024);
		store.setMappedFileSizeConsumeQueue(300_000 * 20);
		store.setHaListenPort(0);
		store.setMessageDelayLevel(DELAY_LEVELS);
		store.setDiskMaxUsedSpaceRatio(95);
		this.broker = new BrokerController(brokerConfig, brokerNetty, new NettyClientConfig(), store);
		if (!this.broker.initialize()) {
			throw new IllegalStateException("RocketMQ broker did not initialize");
		}
		this.broker.start();
		awaitRegistration();
	}

	/**
	 * The broker shared by everything in this JVM, started on first use and shut down at exit.
	 * @return the broker
	 */
	public static synchronized EmbeddedRocketMQ shared() {
		if (shared == null) {
			shared = start();
			EmbeddedRocketMQ started = shared;
			TestServers.stopAtExit("stop-embedded-rocketmq", started::close);
		}
		return shared;
	}

	/**
	 * Starts a new name server and broker in a fresh temporary directory.
	 * @return the running broker
	 */
	public static EmbeddedRocketMQ start() {
		try {
			return new EmbeddedRocketMQ(Files.createTempDirectory("idempotent-rocketmq"));
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not start the embedded RocketMQ broker", ex);
		}
	}

	/**
	 * The name server's address, for {@code rocketmq.name-server}.
	 * @return {@code 127.0.0.1:port}
	 */
	public String nameServer() {
		return this.nameServerAddress;
	}

	/**
	 * Creates topics (4 queues each) and, for each consumer group, its retry topic, then waits until the name
	 * server routes them, so producers and consumers find them at once.
	 * @param topics the topics
	 * @param groups the consumer groups
	 */
	public void createTopics(List<String> topics, List<String> groups) {
		for (String topic : topics) {
			createTopic(topic, 4);
		}
		for (String group : groups) {
			createTopic(MixAll.getRetryTopic(group), 1);
		}
		this.broker.registerBrokerAll(true, false, true);
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		for (String topic : topics) {
			while (this.nameServer.getRouteInfoManager().pickupTopicRouteData(topic) == null) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Topic " + topic + " was not routed by the name server");
				}
				this.broker.registerBrokerAll(true, false, true);
				TestServers.pause();
			}
		}
	}

	private void createTopic(String topic, int queues) {
		TopicConfig config = new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE);
		this.broker.getTopicConfigManager().updateTopicConfig(config);
	}

	private void awaitRegistration() {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (this.nameServer.getRouteInfoManager().getAllClusterInfo().getBrokerAddrTable().isEmpty()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("RocketMQ broker did not register with the name server");
			}
			this.broker.registerBrokerAll(true, false, true);
			TestServers.pause();
		}
	}

	/**
	 * Shuts the broker and the name server down and deletes their files. Close consumers first. The broker's
	 * shutdown takes seconds; it gets a bounded wait, and the files are deleted whether or not it finished.
	 */
	@Override
	public void close() {
		Thread stopper = new Thread(() -> {
			try {
				this.broker.shutdown();
			}
			catch (RuntimeException ex) {
				// JDK 25 + Netty 4.2 may refuse to clean a buffer on shutdown; the process is ending anyway
			}
			this.nameServer.shutdown();
		}, "embedded-rocketmq-shutdown");
		stopper.setDaemon(true);
		stopper.start();
		try {
			stopper.join(SHUTDOWN_WAIT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		deleteQuietly(this.home);
	}

	private static void deleteQuietly(Path dir) {
		try (var paths = Files.walk(dir)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			// temporary files; the OS cleans up
		}
	}

}
