package io.idempotent.codec;

import java.lang.reflect.Type;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores results as JSON with Jackson. The value is read back as the method's declared (generic) return
 * type, so a method returning {@code List<Order>} gets a {@code List<Order>} back.
 */
public final class JacksonResultCodec implements ResultCodec {

	private final JsonMapper mapper;

	/** Creates a codec on a default {@link JsonMapper}. */
	public JacksonResultCodec() {
		this(JsonMapper.builder().findAndAddModules().build());
	}

	/**
	 * Creates a codec on the application's mapper.
	 * @param mapper the mapper
	 */
	public JacksonResultCodec(JsonMapper mapper) {
		this.mapper = mapper;
	}

	@Override
	public byte[] encode(Object value) {
		try {
			return this.mapper.writeValueAsBytes(value);
		}
		catch (JacksonException ex) {
			throw new IllegalStateException("Cannot store result of type " + value.getClass().getName()
					+ " as JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	@Override
	public Object decode(byte[] bytes, Type type) {
		JavaType javaType = this.mapper.getTypeFactory().constructType(type);
		try {
			return this.mapper.readValue(bytes, javaType);
		}
		catch (JacksonException ex) {
			throw new IllegalStateException("Cannot read stored result as " + javaType + ": "
					+ ex.getOriginalMessage(), ex);
		}
	}

}
