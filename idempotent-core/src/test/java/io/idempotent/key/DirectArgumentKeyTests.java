package io.idempotent.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.ReflectiveMethodInvocation;

import io.idempotent.annotation.Idempotent;
import io.idempotent.aop.IdempotentAdvisor;
import io.idempotent.aop.IdempotentMethodInterceptor;
import io.idempotent.codec.JacksonResultCodec;
import io.idempotent.core.FailureMode;
import io.idempotent.core.IdempotencyEngine;
import io.idempotent.core.IdempotencyKeyException;
import io.idempotent.core.IdempotencySettings;
import io.idempotent.store.memory.InMemoryIdempotencyStore;

/**
 * A key expression that is one argument variable is resolved without an evaluation context per call; it must
 * name the same argument SpEL would: a later argument's variable wins over an earlier one of the same name, and
 * a null or blank argument is refused as before.
 */
class DirectArgumentKeyTests {

	private static final IdempotencySettings SETTINGS = new IdempotencySettings(Duration.ofMinutes(1),
			Duration.ofMinutes(10), false, FailureMode.FAIL_CLOSED);

	private final Shipments shipments = guarded();

	@Test
	void aVariableBoundByTwoArgumentsIsTheLaterOne() {
		// the first parameter is named p1, and the second argument's position is p1 too: SpEL binds the second last
		this.shipments.ship("a", "k-1");
		this.shipments.ship("b", "k-1");
		this.shipments.ship("a", "k-2");
		assertThat(this.shipments.runs()).isEqualTo(2);
	}

	@Test
	void aNameAndPositionsNameTheSameArgument() {
		this.shipments.notify("n-1", "first");
		this.shipments.notifyByPosition("n-1", "second");
		assertThat(this.shipments.runs()).isEqualTo(2); // two operations, each ran once
		this.shipments.notify("n-1", "again");
		this.shipments.notifyByPosition("n-1", "again");
		assertThat(this.shipments.runs()).isEqualTo(2);
	}

	@Test
	void aNullOrBlankArgumentIsStillRefused() {
		assertThatThrownBy(() -> this.shipments.notify(null, "x")).isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining("'#id'")
			.hasMessageContaining("null");
		assertThatThrownBy(() -> this.shipments.notify(" ", "secret")).isInstanceOf(IdempotencyKeyException.class)
			.hasMessageContaining("blank")
			.hasMessageNotContaining("secret");
		assertThat(this.shipments.runs()).isZero();
	}

	@Test
	void aNonStringArgumentIsItsToString() {
		this.shipments.byNumber(42L);
		this.shipments.byNumber(42L);
		this.shipments.byNumber(43L);
		assertThat(this.shipments.runs()).isEqualTo(2);
	}

	@Test
	void resolvingAnAcceptedKeyAllocatesNoMessage() throws Exception {
		IdempotentMethodRegistry registry = new IdempotentMethodRegistry((name) -> SETTINGS, List.of());
		registry.register(Shipments.class);
		Method notify = Shipments.class.getMethod("notify", String.class, String.class);
		IdempotentMethod method = registry.get(notify, Shipments.class);
		KeyResolver keys = new KeyResolver();
		Object[] arguments = { "n-1", "text" };
		MethodInvocation invocation = new ReflectiveMethodInvocation(null, new Shipments(), notify, arguments,
				Shipments.class, List.of()) {
		};
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		for (int round = 0; round < 3; round++) { // the first rounds warm up
			int same = 0;
			long before = threads.getCurrentThreadAllocatedBytes();
			for (int i = 0; i < 10_000; i++) {
				same += (keys.resolve(method, invocation) == arguments[0]) ? 1 : 0;
			}
			assertThat(same).isEqualTo(10_000);
			long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 10_000;
			if (round == 2) {
				// the key is the argument itself; building the rejection's description per call cost ~50 bytes
				assertThat(perCall).isLessThan(16);
			}
		}
	}

	private static Shipments guarded() {
		IdempotencySettings settings = SETTINGS;
		IdempotencyEngine engine = new IdempotencyEngine(new InMemoryIdempotencyStore());
		IdempotentMethodRegistry registry = new IdempotentMethodRegistry((name) -> settings, List.of());
		registry.register(Shipments.class);
		ProxyFactory proxy = new ProxyFactory(new Shipments());
		proxy.setProxyTargetClass(true);
		JacksonResultCodec codec = new JacksonResultCodec();
		proxy.addAdvisor(new IdempotentAdvisor(new IdempotentMethodInterceptor(engine, registry, codec)));
		return (Shipments) proxy.getProxy();
	}

	/** Guarded methods under test. */
	public static class Shipments {

		private int runs;

		public int runs() {
			return this.runs;
		}

		@Idempotent(key = "#p1")
		public void ship(String p1, String other) {
			this.runs++;
		}

		@Idempotent(key = "#id")
		public void notify(String id, String text) {
			this.runs++;
		}

		@Idempotent(key = "#a0")
		public void notifyByPosition(String id, String text) {
			this.runs++;
		}

		@Idempotent(key = "#number")
		public void byNumber(Long number) {
			this.runs++;
		}

	}

}
