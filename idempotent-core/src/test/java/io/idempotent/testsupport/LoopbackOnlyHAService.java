package io.idempotent.testsupport;

import org.apache.rocketmq.store.ha.DefaultHAService;

/**
 * The embedded broker's HA service: a single master with no slaves, so it opens no HA listener. RocketMQ 5.3.3
 * binds the HA port on every interface whatever {@code bindAddress} says; an embedded broker must not open a
 * port to the network. Loaded by RocketMQ's {@code ServiceProvider} from
 * {@code META-INF/service/org.apache.rocketmq.store.ha.HAService}.
 */
public class LoopbackOnlyHAService extends DefaultHAService {

	@Override
	public void start() {
		// no acceptor: nothing replicates from an embedded single master
		this.groupTransferService.start();
		this.haConnectionStateNotificationService.start();
	}

}
