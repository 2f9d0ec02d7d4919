package io.idempotent.autoconfigure.openapi;

import java.util.Map;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;

import io.idempotent.annotation.Idempotent;

/**
 * Documents the idempotency contract of every {@code @Idempotent} controller method in the generated OpenAPI
 * description, with no annotation from the user: the key header (when the key comes from it), the problem
 * responses the guard itself answers (400, 409 and 503 with {@code Retry-After}, 413, 422), and the
 * {@code Idempotent-Replayed} header on replayed answers. What a handler already documents is kept.
 */
public final class IdempotencyOpenApiCustomizer implements OperationCustomizer {

	static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private static final String PROBLEM_JSON = "application/problem+json";

	private final String headerName;

	private final boolean headerRequired;

	/**
	 * Creates the customizer.
	 * @param headerName the request header carrying the key ({@code idempotent.web.header-name})
	 * @param headerRequired whether a request without it is refused ({@code idempotent.web.required})
	 */
	public IdempotencyOpenApiCustomizer(String headerName, boolean headerRequired) {
		this.headerName = headerName;
		this.headerRequired = headerRequired;
	}

	@Override
	public Operation customize(Operation operation, HandlerMethod handlerMethod) {
		Idempotent idempotent = guard(handlerMethod);
		if (idempotent == null) {
			return operation;
		}
		boolean keyFromHeader = idempotent.key().isEmpty();
		if (keyFromHeader) {
			addKeyHeader(operation);
		}
		ApiResponses responses = operation.getResponses();
		if (responses == null) {
			responses = new ApiResponses();
			operation.setResponses(responses);
		}
		markReplays(responses);
		if (keyFromHeader) {
			problem(responses, "400", "The " + this.headerName + " header is missing (when required) or malformed; "
					+ "nothing ran and nothing was stored.", false);
		}
		problem(responses, "409", "A request with this idempotency key is still being processed; retry after "
				+ "Retry-After seconds. The first request has not finished, so nothing was replayed.", true);
		problem(responses, "413", "The request body is larger than the guard hashes and keeps "
				+ "(idempotent.web.max-request-size); nothing ran and nothing was stored.", false);
		problem(responses, "422", "This idempotency key was already used with a different request (method, "
				+ "path, query or body differ); nothing ran.", false);
		problem(responses, "503", "The idempotency store is unavailable; nothing ran. Retry later.", true);
		return operation;
	}

	private void addKeyHeader(Operation operation) {
		if (operation.getParameters() != null) {
			for (Parameter parameter : operation.getParameters()) {
				if ("header".equals(parameter.getIn()) && this.headerName.equalsIgnoreCase(parameter.getName())) {
					return;
				}
			}
		}
		StringSchema schema = new StringSchema();
		schema.setMinLength(1);
		schema.setMaxLength(255);
		schema.setExample("8e03978e-40d5-43e8-bc93-6894a57f9324");
		operation.addParametersItem(new HeaderParameter().name(this.headerName)
			.required(this.headerRequired)
			.schema(schema)
			.description("Idempotency key of this request: 1 to 255 visible ASCII characters (a UUID is a good "
					+ "choice), also accepted as a quoted structured-field string. A retry with the same key gets "
					+ "the first response replayed instead of running again; keys are scoped to the caller."));
	}

	private static void markReplays(ApiResponses responses) {
		Header replayed = new Header()
			.description("true when this answer is the stored response of an earlier request with the same key, "
					+ "replayed byte for byte; absent on the request that ran")
			.schema(new StringSchema()._enum(java.util.List.of("true")));
		responses.forEach((status, response) -> {
			if (status.startsWith("2") || "default".equals(status)) {
				if (response.getHeaders() == null || !response.getHeaders().containsKey(REPLAYED_HEADER)) {
					response.addHeaderObject(REPLAYED_HEADER, replayed);
				}
			}
		});
	}

	private static void problem(ApiResponses responses, String status, String description, boolean retryAfter) {
		if (responses.containsKey(status)) {
			return;
		}
		ObjectSchema body = new ObjectSchema();
		body.setProperties(Map.of("type", new StringSchema(), "title", new StringSchema(), "status",
				new IntegerSchema(), "detail", new StringSchema()));
		ApiResponse response = new ApiResponse().description(description)
			.content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(body)));
		if (retryAfter) {
			response.addHeaderObject("Retry-After", new Header().description("Seconds to wait before retrying")
				.schema(new IntegerSchema()));
		}
		responses.addApiResponse(status, response);
	}

	private static Idempotent guard(HandlerMethod handlerMethod) {
		Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(handlerMethod.getMethod(), Idempotent.class);
		if (onMethod != null) {
			return onMethod;
		}
		if (java.lang.reflect.Modifier.isPublic(handlerMethod.getMethod().getModifiers())) {
			return AnnotatedElementUtils.findMergedAnnotation(handlerMethod.getBeanType(), Idempotent.class);
		}
		return null;
	}

}
