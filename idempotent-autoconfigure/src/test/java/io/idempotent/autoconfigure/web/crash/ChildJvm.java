package io.idempotent.autoconfigure.web.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashWebApplication} in a child JVM: started with the test's classpath, its {@code @@} signals read
 * from stdout, its stderr kept under {@code target/crash-logs}, killed with SIGKILL
 * ({@link Process#destroyForcibly()} on Linux). Always destroyed on {@link #close()}.
 */
final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final BlockingQueue<String> signals = new LinkedBlockingQueue<>();

	private ChildJvm(Process process) {
		this.process = process;
		Thread reader = new Thread(this::read, "crash-web-stdout");
		reader.setDaemon(true);
		reader.start();
	}

	static ChildJvm start(String name, List<String> args) {
		Path logs = Path.of("target", "crash-logs");
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-XX:+UseSerialGC");
		command.add("-Djava.io.tmpdir=" + Path.of("target", "tmp").toAbsolutePath());
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(CrashWebApplication.class.getName());
		command.addAll(args);
		try {
			Files.createDirectories(logs);
			Files.createDirectories(Path.of("target", "tmp"));
			ProcessBuilder builder = new ProcessBuilder(command);
			builder.redirectError(logs.resolve(name + ".err").toFile());
			return new ChildJvm(builder.start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Waits for the next signal line.
	 * @param timeout the longest wait
	 * @return the line, or {@code @@EOF} when the child ended
	 */
	String awaitSignal(Duration timeout) throws InterruptedException {
		String line = this.signals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (line == null) {
			throw new AssertionError("No signal from the child JVM within " + timeout);
		}
		return line;
	}

	/** SIGKILL, then waits for the process to be gone. */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			throw new AssertionError("The child JVM survived SIGKILL");
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			kill();
		}
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("@@")) {
					this.signals.add(line);
				}
			}
		}
		catch (IOException ex) {
			// the process died: end of its output
		}
		finally {
			this.signals.add("@@EOF");
		}
	}

}
