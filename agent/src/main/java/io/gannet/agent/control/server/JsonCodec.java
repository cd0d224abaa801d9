package io.gannet.agent.control.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.IpLiteral;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one JSON configuration of the control API, shared by server and CLI: strict on input
 * (an operator's typo must be an error, not silently ignored) and stable on output (record
 * component order, addresses in RFC 5952 form, absent attributes as explicit nulls).
 */
public final class JsonCodec {
    private static final ObjectMapper MAPPER = create();

    private JsonCodec() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper create() {
        SimpleModule addresses = new SimpleModule("gannet-addresses");
        addresses.addSerializer(InetAddress.class, new StdSerializer<>(InetAddress.class) {
            @Override
            public void serialize(InetAddress value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(IpLiteral.format(value));
            }
        });
        JsonMapper m = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .addModule(addresses)
                .build();
        // "med": "10" or "message": 5 are mistakes, not values to convert.
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Boolean, LogicalType.Textual, LogicalType.Float)) {
            m.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.String, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Collection).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return m;
    }

    /**
     * Reads a request body into {@code type}; every failure becomes a BAD_REQUEST whose message
     * names the field and what was expected.
     */
    public static <T> T readBody(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ControlException.badRequest("request body is empty; expected a JSON object");
        }
        T value;
        try (JsonParser p = MAPPER.createParser(body)) {
            value = MAPPER.readValue(p, type);
        } catch (UnrecognizedPropertyException e) {
            throw ControlException.badRequest("unknown field '" + e.getPropertyName() + "' (allowed: "
                    + names(e.getKnownPropertyIds()) + ")");
        } catch (MismatchedInputException e) {
            throw ControlException.badRequest(mismatch(e));
        } catch (StreamReadException e) {
            throw ControlException.badRequest("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + " column " + e.getLocation().getColumnNr()));
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof ControlException ce) {
                throw ce;
            }
            throw ControlException.badRequest("invalid request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ControlException.badRequest("unreadable request body: " + e.getMessage());
        }
        if (value == null) {
            throw ControlException.badRequest("request body is null; expected a JSON object");
        }
        return value;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private static String mismatch(MismatchedInputException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        String expected = expectedType(e.getTargetType());
        if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
            return "malformed JSON: trailing data after the JSON object";
        }
        if (field.isEmpty()) {
            return "request body must be a JSON object";
        }
        return "field '" + field.replace(".[", "[") + "': expected " + expected;
    }

    private static String expectedType(Class<?> t) {
        if (t == null) {
            return "a different type";
        }
        if (t == Long.class || t == long.class || t == Integer.class || t == int.class) {
            return "an integer";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        return "a JSON object";
    }

    private static String names(Collection<Object> ids) {
        return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }
}
