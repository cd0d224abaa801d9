package io.gannet.topology;

import io.gannet.topology.bind.ProfileBinder;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.resolve.ProfileResolver;
import io.gannet.topology.resolve.ResolvedProfile;
import io.gannet.topology.validate.Problems;
import io.gannet.topology.yaml.YNode;
import io.gannet.topology.yaml.YamlTreeReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Entry point: load a profile file, get every problem, and (when there are no errors)
 * render hosts and switches through the returned {@link LoadedProfile}.
 *
 * <pre>{@code
 * LoadedProfile p = TopologyProfiles.load(Path.of("fabric.yaml"));
 * p.problems().forEach(System.err::println);       // file:line:column: error|warning: message
 * if (!p.hasErrors()) {
 *     NodeConfig node = p.nodeConfig("node1");      // MD5 references resolved from env/files
 * }
 * }</pre>
 */
public final class TopologyProfiles {
    /** Larger files are refused before parsing: a 5,000-host profile is about 1 MiB. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private TopologyProfiles() {}

    /** Reads and checks {@code file}. Bad content is reported as problems; only an unreadable file throws. */
    public static LoadedProfile load(Path file) throws IOException {
        String name = file.toString();
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            Problems problems = new Problems();
            problems.error(new io.gannet.topology.yaml.Location(name, 1, 1), "file is " + size + " bytes; profiles are limited to " + MAX_FILE_BYTES);
            return new LoadedProfile(name, null, null, problems.sorted());
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            Problems problems = new Problems();
            problems.error(new io.gannet.topology.yaml.Location(name, 1, 1), "file is not UTF-8 text");
            return new LoadedProfile(name, null, null, problems.sorted());
        }
        return parse(name, text);
    }

    /** Checks profile text; {@code fileName} is used in problem locations. Never throws on bad content. */
    public static LoadedProfile parse(String fileName, String text) {
        Problems problems = new Problems();
        Optional<YNode> root = new YamlTreeReader().read(fileName, text, problems);
        TopologyProfile bound = root.map(r -> ProfileBinder.bind(fileName, r, problems)).orElse(null);
        ResolvedProfile resolved = null;
        if (bound != null) {
            resolved = ProfileResolver.resolve(bound, problems).orElse(null);
        }
        return new LoadedProfile(fileName, bound, problems.hasErrors() ? null : resolved, problems.sorted());
    }
}
