package io.idempotent.web;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request of a guarded call: its body is hashed as the application reads it, never copied, and never read
 * past {@code maxSize} bytes ({@link PayloadTooLargeException}, answered 413). Nothing is allocated from the
 * declared {@code Content-Length}. When the call is claimed, {@link #bodyDigest()} reads the rest of the body
 * (what the handler did not read) so the fingerprint covers all of it; only that unread rest is kept, for a
 * handler that reads the body itself later.
 */
final class GuardedRequest extends HttpServletRequestWrapper {

	private static final int BUFFER_SIZE = 8192;

	private static final byte[] NOTHING = new byte[0];

	private final long maxSize;

	private final MessageDigest digest = Digests.sha256();

	private long count;

	private boolean overLimit;

	private DigestingStream stream;

	private BufferedReader reader;

	private byte[] bodyDigest;

	GuardedRequest(HttpServletRequest request, long maxSize) {
		super(request);
		this.maxSize = maxSize;
	}

	@Override
	public ServletInputStream getInputStream() throws IOException {
		if (this.stream == null) {
			this.stream = new DigestingStream(super.getInputStream());
		}
		return this.stream;
	}

	@Override
	public BufferedReader getReader() throws IOException {
		if (this.reader == null) {
			String encoding = getCharacterEncoding();
			Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.ISO_8859_1;
			this.reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
		}
		return this.reader;
	}

	/**
	 * Whether anything read the body through this request's stream or reader (a container parsing form
	 * parameters or multipart parts reads it past this wrapper).
	 * @return true when the stream was opened
	 */
	boolean streamUsed() {
		return this.stream != null;
	}

	/**
	 * Whether the body was found larger than allowed.
	 * @return true past the limit
	 */
	boolean overLimit() {
		return this.overLimit;
	}

	long maxSize() {
		return this.maxSize;
	}

	/**
	 * The SHA-256 of the whole body: reads what is left of it (capped) so the digest covers every byte, and keeps
	 * only that unread rest for later readers.
	 * @return the digest
	 * @throws IOException when the body cannot be read, or is over the limit
	 */
	byte[] bodyDigest() throws IOException {
		if (this.bodyDigest == null) {
			DigestingStream in = (DigestingStream) getInputStream();
			in.drain();
			this.bodyDigest = this.digest.digest();
		}
		return this.bodyDigest;
	}

	private void counted(int n) throws PayloadTooLargeException {
		this.count += n;
		if (this.count > this.maxSize) {
			this.overLimit = true;
			throw new PayloadTooLargeException(this.maxSize);
		}
	}

	private final class DigestingStream extends ServletInputStream {

		private final ServletInputStream delegate;

		private InputStream rest;

		DigestingStream(ServletInputStream delegate) {
			this.delegate = delegate;
		}

		/** The declared bytes not read yet, plus one to see the end; a full buffer when no length was declared. */
		private int probeSize() {
			long declared = getContentLengthLong();
			if (declared < 0) {
				return BUFFER_SIZE;
			}
			return (int) Math.max(1, Math.min(BUFFER_SIZE, declared - GuardedRequest.this.count + 1));
		}

		void drain() throws IOException {
			if (this.rest != null) {
				return;
			}
			// usually the handler's arguments have read the whole body: then one probe of the declared rest (one
			// byte) finds its end, and no read buffer is allocated for a body that is gone
			byte[] buffer = new byte[probeSize()];
			int n = read(buffer, 0, buffer.length);
			if (n == -1) {
				this.rest = new ByteArrayInputStream(NOTHING);
				return;
			}
			ByteArrayOutputStream unread = new ByteArrayOutputStream(n);
			for (; n != -1; n = read(buffer, 0, buffer.length)) {
				unread.write(buffer, 0, n);
				if (n == buffer.length && buffer.length < BUFFER_SIZE) {
					// the probe came back full: more bytes than declared (the length was wrong); a probe that
					// did not fill holds the declared rest, and its next read only finds the end
					buffer = new byte[BUFFER_SIZE];
				}
			}
			this.rest = new ByteArrayInputStream(unread.toByteArray());
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int n = read(one, 0, 1);
			return (n == -1) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			if (this.rest != null) {
				return this.rest.read(b, off, len);
			}
			int n = this.delegate.read(b, off, len);
			if (n > 0) {
				counted(n);
				GuardedRequest.this.digest.update(b, off, n);
			}
			return n;
		}

		@Override
		public boolean isFinished() {
			try {
				return (this.rest != null) ? this.rest.available() == 0 : this.delegate.isFinished();
			}
			catch (IOException ex) {
				return true;
			}
		}

		@Override
		public boolean isReady() {
			return (this.rest != null) || this.delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.delegate.setReadListener(listener);
		}

	}

}
