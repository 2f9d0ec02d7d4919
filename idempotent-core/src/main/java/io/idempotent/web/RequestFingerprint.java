package io.idempotent.web;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import org.springframework.web.util.WebUtils;

/**
 * The fingerprint of a request: SHA-256 over its method, path and query, and then either what the operation
 * names as its parts that matter (a fingerprint expression's value) or the whole body: every byte of it
 * (streamed, capped, including bytes the handler never read), or, when the container parsed it, every multipart
 * part (name, file name, type, bytes) or every form parameter. Two requests with one key but different
 * fingerprints are different requests (422). Bodies compare byte for byte: the same JSON with its fields in
 * another order is a different request unless an expression names what matters.
 */
final class RequestFingerprint {

	private RequestFingerprint() {
	}

	/**
	 * Computes the fingerprint of a request whose operation has no fingerprint expression.
	 * @param request the request
	 * @return the 32-byte digest
	 * @throws IOException when the body cannot be read or is over the limit
	 */
	static byte[] ofBody(HttpServletRequest request) throws IOException {
		MessageDigest digest = target(request);
		GuardedRequest guarded = WebUtils.getNativeRequest(request, GuardedRequest.class);
		if (guarded == null) {
			return digest.digest();
		}
		String type = (request.getContentType() != null) ? request.getContentType().toLowerCase(Locale.ROOT) : "";
		if (!guarded.streamUsed() && type.startsWith("multipart/") && parts(request, guarded, digest)) {
			return digest.digest();
		}
		if (!guarded.streamUsed() && type.startsWith("application/x-www-form-urlencoded")) {
			digest.update((byte) 'f');
			long total = 0;
			for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
				Digests.field(digest, parameter.getKey());
				Digests.length(digest, parameter.getValue().length);
				total += parameter.getKey().length();
				for (String value : parameter.getValue()) {
					Digests.field(digest, value);
					total += (value != null) ? value.length() : 0;
				}
			}
			// the container read the body past the wrapper (a chunked body has no Content-Length to refuse
			// early): parameters longer than the limit mean a body over it, decoded text being no longer
			if (total > guarded.maxSize()) {
				throw new PayloadTooLargeException(guarded.maxSize());
			}
			return digest.digest();
		}
		digest.update((byte) 'b');
		digest.update(guarded.bodyDigest());
		return digest.digest();
	}

	/**
	 * Computes the fingerprint of a request from the value of its operation's fingerprint expression.
	 * @param request the request
	 * @param value the expression's value
	 * @return the 32-byte digest
	 */
	static byte[] ofValue(HttpServletRequest request, Object value) {
		MessageDigest digest = target(request);
		digest.update((byte) 'e');
		Digests.field(digest, (value != null) ? value.toString() : null);
		return digest.digest();
	}

	private static MessageDigest target(HttpServletRequest request) {
		MessageDigest digest = Digests.sha256();
		Digests.field(digest, request.getMethod());
		Digests.field(digest, request.getRequestURI());
		Digests.field(digest, request.getQueryString());
		return digest;
	}

	private static boolean parts(HttpServletRequest request, GuardedRequest guarded, MessageDigest digest)
			throws IOException {
		Iterable<Part> parts;
		try {
			parts = request.getParts();
		}
		catch (ServletException | IllegalStateException ex) {
			return false; // no multipart support configured: the raw body is hashed instead
		}
		digest.update((byte) 'm');
		long total = 0;
		byte[] buffer = new byte[8192];
		for (Part part : parts) {
			Digests.field(digest, part.getName());
			Digests.field(digest, part.getSubmittedFileName());
			Digests.field(digest, part.getContentType());
			Digests.length(digest, part.getSize());
			try (InputStream in = part.getInputStream()) {
				for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
					total += n;
					if (total > guarded.maxSize()) {
						throw new PayloadTooLargeException(guarded.maxSize());
					}
					digest.update(buffer, 0, n);
				}
			}
		}
		return true;
	}

}
