package io.idempotent.codec;

import java.lang.reflect.Type;

/**
 * Turns a guarded method's return value into the bytes a store keeps, and back into a value of the method's
 * return type for a duplicate call.
 */
public interface ResultCodec {

	/**
	 * Encodes a return value.
	 * @param value the value, may be null
	 * @return the bytes to store, never null
	 */
	byte[] encode(Object value);

	/**
	 * Decodes stored bytes.
	 * @param bytes bytes from {@link #encode}
	 * @param type the method's generic return type, resolved against the target class
	 * @return the value
	 */
	Object decode(byte[] bytes, Type type);

}
