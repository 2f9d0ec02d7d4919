package io.idempotent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;

/**
 * The guarded request's body digest covers every byte of the body, however much of it the handler read, whatever
 * length the client declared (right, too short, or none: chunked), and the bytes the handler did not read stay
 * readable after it; a body the handler read to its end is digested without a read buffer.
 */
class GuardedRequestTests {

	private static final byte[] BODY = "{\"orderId\":\"o-123456\",\"amount\":4200}".getBytes(StandardCharsets.UTF_8);

	@Test
	void aBodyTheHandlerReadToItsEndIsDigestedWhole() throws IOException {
		GuardedRequest request = new GuardedRequest(request(BODY, BODY.length), 1024);
		assertThat(request.getInputStream().readAllBytes()).isEqualTo(BODY);
		assertThat(request.bodyDigest()).isEqualTo(sha256(BODY));
		assertThat(request.getInputStream().read()).isEqualTo(-1);
	}

	@Test
	void aBodyNobodyReadIsDigestedWholeAndStaysReadable() throws IOException {
		GuardedRequest request = new GuardedRequest(request(BODY, BODY.length), 1024);
		assertThat(request.bodyDigest()).isEqualTo(sha256(BODY));
		assertThat(request.getInputStream().readAllBytes()).isEqualTo(BODY);
	}

	@Test
	void theRestOfAPartlyReadBodyIsDigestedAndKeptForItsReader() throws IOException {
		GuardedRequest request = new GuardedRequest(request(BODY, BODY.length), 1024);
		byte[] head = request.getInputStream().readNBytes(10);
		assertThat(request.bodyDigest()).isEqualTo(sha256(BODY));
		byte[] rest = request.getInputStream().readAllBytes();
		assertThat(concat(head, rest)).isEqualTo(BODY);
	}

	@Test
	void aBodyLongerThanItsDeclaredLengthIsDigestedWhole() throws IOException {
		byte[] big = new byte[20_000];
		for (int i = 0; i < big.length; i++) {
			big[i] = (byte) i;
		}
		GuardedRequest request = new GuardedRequest(request(big, 5), 100_000);
		byte[] head = request.getInputStream().readNBytes(5);
		assertThat(request.bodyDigest()).isEqualTo(sha256(big));
		assertThat(concat(head, request.getInputStream().readAllBytes())).isEqualTo(big);
	}

	@Test
	void aBodyWithoutADeclaredLengthIsDigestedWhole() throws IOException {
		byte[] big = new byte[20_000];
		GuardedRequest request = new GuardedRequest(request(big, -1), 100_000);
		assertThat(request.bodyDigest()).isEqualTo(sha256(big));
		assertThat(request.getInputStream().readAllBytes()).isEqualTo(big);
	}

	@Test
	void anUnreadRestOverTheLimitIsRefused() throws IOException {
		GuardedRequest request = new GuardedRequest(request(new byte[5000], -1), 4096);
		request.getInputStream().readNBytes(10);
		assertThatExceptionOfType(PayloadTooLargeException.class).isThrownBy(request::bodyDigest);
		assertThat(request.overLimit()).isTrue();
	}

	@Test
	void digestingABodyTheHandlerReadAllocatesNoReadBuffer() throws IOException {
		HttpServletRequest[] requests = new HttpServletRequest[2000];
		for (int i = 0; i < requests.length; i++) {
			requests[i] = request(BODY, BODY.length);
		}
		int[] round = { 0 };
		long perDigest = bytesAllocatedPerDigest(() -> {
			GuardedRequest[] guarded = new GuardedRequest[1000];
			for (int i = 0; i < guarded.length; i++) {
				guarded[i] = new GuardedRequest(requests[round[0] * 1000 + i], 1024);
				guarded[i].getInputStream().readAllBytes();
			}
			round[0]++;
			return guarded;
		});
		// the digest, the empty rest and the one-byte probe; it was over 8 KiB with a read buffer per call
		assertThat(perDigest).isLessThan(1024);
	}

	@Test
	void everyByteIsDigestedAndTheRestReadableWhateverTheDeclaredLengthAndHowMuchWasRead() throws IOException {
		java.util.Random random = new java.util.Random(16);
		for (int size : new int[] { 0, 1, 2, 8191, 8192, 8193, 20_000 }) {
			byte[] body = new byte[size];
			random.nextBytes(body);
			// right, one short, one long, none (chunked), zero, one, past an int, and a probe size that overflows
			for (long declared : new long[] { size, size - 1L, size + 1L, -1, 0, 1, Integer.MAX_VALUE + 10L,
					Long.MAX_VALUE }) {
				for (int readFirst : new int[] { 0, 1, size / 2, size }) {
					GuardedRequest request = new GuardedRequest(request(body, declared), 1 << 20);
					byte[] head = request.getInputStream().readNBytes(readFirst);
					assertThat(request.bodyDigest()).as("size %d, declared %d, read first %d", size, declared, readFirst)
						.isEqualTo(sha256(body));
					assertThat(concat(head, request.getInputStream().readAllBytes())).isEqualTo(body);
				}
			}
		}
	}

	@Test
	void aBodyPartlyReadThroughTheReaderIsDigestedWholeAndTheReaderGoesOn() throws IOException {
		byte[] body = "abcdefghij".repeat(3000).getBytes(StandardCharsets.ISO_8859_1);
		for (long declared : new long[] { body.length, -1, 10, 0 }) {
			GuardedRequest request = new GuardedRequest(request(body, declared), 100_000);
			char[] three = new char[3];
			assertThat(request.getReader().read(three)).isEqualTo(3);
			assertThat(request.bodyDigest()).isEqualTo(sha256(body));
			StringBuilder all = new StringBuilder().append(three);
			char[] buffer = new char[1000];
			for (int n = request.getReader().read(buffer); n != -1; n = request.getReader().read(buffer)) {
				all.append(buffer, 0, n);
			}
			assertThat(all.toString()).isEqualTo(new String(body, StandardCharsets.ISO_8859_1));
		}
	}

	@Test
	void aBodyOfExactlyTheLimitIsDigestedAndOneByteMoreIsRefusedWhateverTheDeclaredLength() throws IOException {
		for (long declared : new long[] { 4096, 4097, -1, 0, 1, Long.MAX_VALUE }) {
			GuardedRequest atLimit = new GuardedRequest(request(new byte[4096], declared), 4096);
			assertThat(atLimit.bodyDigest()).isEqualTo(sha256(new byte[4096]));
			assertThat(atLimit.getInputStream().readAllBytes()).hasSize(4096);
			GuardedRequest over = new GuardedRequest(request(new byte[4097], declared), 4096);
			assertThatExceptionOfType(PayloadTooLargeException.class).isThrownBy(over::bodyDigest);
			assertThat(over.overLimit()).isTrue();
		}
	}

	@Test
	void digestingABodyNobodyReadAllocatesNoReadBufferBeyondItsDeclaredLength() throws IOException {
		byte[] body = new byte[4000];
		long perDigest = bytesAllocatedPerDigest(() -> {
			GuardedRequest[] guarded = new GuardedRequest[500];
			for (int i = 0; i < guarded.length; i++) {
				guarded[i] = new GuardedRequest(request(body, body.length), 1 << 20);
				guarded[i].getInputStream();
			}
			return guarded;
		});
		// the probe of the declared rest, the rest kept and its copy: about three times the body. A full 8 KiB
		// buffer allocated on top of the probe to find the end made it over 20 KB (16.6 KB before the probe, with
		// one 8 KiB buffer)
		assertThat(perDigest).isLessThan(3 * body.length + 1024);
	}

	/** Requests made ready for a digest, a fresh batch per call. */
	@FunctionalInterface
	private interface Batch {

		GuardedRequest[] prepare() throws IOException;

	}

	/**
	 * The bytes one {@link GuardedRequest#bodyDigest()} allocates, measured over the second of two batches (the
	 * first warms up).
	 */
	private static long bytesAllocatedPerDigest(Batch batch) throws IOException {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		long perDigest = 0;
		for (int round = 0; round < 2; round++) {
			GuardedRequest[] guarded = batch.prepare();
			long before = threads.getCurrentThreadAllocatedBytes();
			for (GuardedRequest request : guarded) {
				request.bodyDigest();
			}
			perDigest = (threads.getCurrentThreadAllocatedBytes() - before) / guarded.length;
		}
		return perDigest;
	}

	private static HttpServletRequest request(byte[] body, long declaredLength) {
		ServletInputStream stream = new ServletInputStream() {

			private final ByteArrayInputStream in = new ByteArrayInputStream(body);

			@Override
			public int read() {
				return this.in.read();
			}

			@Override
			public int read(byte[] b, int off, int len) {
				return this.in.read(b, off, len);
			}

			@Override
			public boolean isFinished() {
				return this.in.available() == 0;
			}

			@Override
			public boolean isReady() {
				return true;
			}

			@Override
			public void setReadListener(ReadListener listener) {
			}

		};
		return (HttpServletRequest) Proxy.newProxyInstance(GuardedRequestTests.class.getClassLoader(),
				new Class<?>[] { HttpServletRequest.class }, (proxy, method, args) -> switch (method.getName()) {
					case "getInputStream" -> stream;
					case "getContentLengthLong" -> declaredLength;
					case "getContentLength" -> (int) declaredLength;
					case "getCharacterEncoding" -> null;
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
