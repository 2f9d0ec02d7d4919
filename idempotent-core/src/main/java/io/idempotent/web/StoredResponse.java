package io.idempotent.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A response as stored for replay: the fingerprint of the request it answered, status, selected headers and the
 * body bytes exactly as written. Encoded in a small versioned binary form (version 1, with a hex fingerprint, is
 * still read).
 *
 * @param fingerprint the fingerprint of the request that produced it
 * @param status the HTTP status
 * @param headers the stored headers, in order
 * @param body the body bytes
 */
public record StoredResponse(byte[] fingerprint, int status, List<Map.Entry<String, String>> headers, byte[] body) {

	private static final int VERSION = 2;

	/**
	 * Encodes for a store.
	 * @return the bytes
	 */
	public byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(this.body.length + 128);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(VERSION);
			out.writeByte(this.fingerprint.length);
			out.write(this.fingerprint);
			out.writeShort(this.status);
			out.writeShort(this.headers.size());
			for (Map.Entry<String, String> header : this.headers) {
				out.writeUTF(header.getKey());
				out.writeUTF(header.getValue());
			}
			out.writeInt(this.body.length);
			out.write(this.body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decodes bytes from {@link #encode()}.
	 * @param bytes the bytes
	 * @return the response
	 */
	public static StoredResponse decode(byte[] bytes) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			int version = in.readByte();
			byte[] fingerprint;
			if (version == 1) {
				fingerprint = HexFormat.of().parseHex(in.readUTF());
			}
			else if (version == VERSION) {
				fingerprint = new byte[in.readUnsignedByte()];
				in.readFully(fingerprint);
			}
			else {
				throw new IllegalStateException("Unknown stored response version " + version);
			}
			int status = in.readShort();
			int count = in.readShort();
			List<Map.Entry<String, String>> headers = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				headers.add(Map.entry(in.readUTF(), in.readUTF()));
			}
			byte[] body = new byte[in.readInt()];
			in.readFully(body);
			return new StoredResponse(fingerprint, status, headers, body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
