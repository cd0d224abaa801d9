package io.gannet.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helper: checks real responses against src/main/resources/openapi.yaml (swagger-request-validator). */
public final class OpenApiContract {
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(spec()).build();

    private OpenApiContract() {}

    public static String spec() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that {@code r}, the answer to {@code method path}, is what the spec says. */
    public static void assertConforms(String method, String path, RawHttp.Response r) {
        String contentType = r.header("content-type");
        SimpleResponse.Builder b = SimpleResponse.Builder.status(r.status()).withBody(r.body());
        if (contentType != null) {
            b.withContentType(contentType);
        }
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(method), b.build());
        assertThat(report.getMessages()).as("%s %s -> %d %s", method, path, r.status(), r.body()).isEmpty();
    }
}
