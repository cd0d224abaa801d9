package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The published schema ({@code schema/topology-profile.schema.json}) accepts every example
 * and rejects the structurally broken profiles, as an editor using it would.
 */
class SchemaTest {
    static final JsonSchema SCHEMA = load();

    private static JsonSchema load() {
        try {
            JsonNode schema = new ObjectMapper().readTree(Fixtures.moduleDir().resolve("schema/topology-profile.schema.json").toFile());
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.moduleDir().resolve("examples"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleValidatesAgainstTheSchema(Path example) throws IOException {
        Set<ValidationMessage> errors = SCHEMA.validate(new YAMLMapper().readTree(example.toFile()));
        assertThat(errors).as(example.toString()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aProfileUsingEveryKeyPassesBothSchemaAndChecker() throws IOException {
        Path file = Fixtures.moduleDir().resolve("src/test/resources/valid/every-key.yaml");
        assertThat(SCHEMA.validate(new YAMLMapper().readTree(file.toFile()))).isEmpty();
        LoadedProfile p = TopologyProfiles.load(file);
        assertThat(p.problems()).as(p.problems().toString()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown-keys.yaml", "bad-types.yaml", "header.yaml", "values.yaml"})
    void structurallyBrokenProfilesFailTheSchemaToo(String name) throws IOException {
        Set<ValidationMessage> errors = SCHEMA.validate(new YAMLMapper().readTree(Fixtures.broken(name).toFile()));
        assertThat(errors).as(name).isNotEmpty();
    }
}
