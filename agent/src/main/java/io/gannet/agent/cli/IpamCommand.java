package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet ipam reserve|release ADDRESS}: an operator's hand on the node's pod addresses. */
@Command(name = "ipam", mixinStandardHelpOptions = true, description = "Reserve or release pod addresses of this node's block.")
public final class IpamCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of " + spec.subcommands().keySet());
    }

    @Command(name = "reserve", mixinStandardHelpOptions = true, description = "Keep ADDRESS of the node's block from pods.")
    int reserve(@Mixin ClientOptions o, @Parameters(paramLabel = "ADDRESS") String address,
                @Option(names = "--note", paramLabel = "TEXT", description = "Why (shown by 'gannet show ipam').") String note) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("address", address);
        if (note != null) {
            body.put("note", note);
        }
        return new ApiCall(spec, o).post("/v1/ipam/reserve", body,
                j -> spec.commandLine().getOut().println("reserved " + j.path("address").asText()));
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"Free ADDRESS, whoever holds it (a reservation, or a pod whose CNI DEL never came).",
                "With --container ID [--ifname NAME]: what that container's attachment holds."})
    int release(@Mixin ClientOptions o, @Parameters(arity = "0..1", paramLabel = "ADDRESS") String address,
                @Option(names = "--container", paramLabel = "ID") String container,
                @Option(names = "--ifname", paramLabel = "NAME", defaultValue = "eth0") String ifName) {
        if ((address == null) == (container == null)) {
            throw new ParameterException(spec.commandLine(), "give either ADDRESS or --container ID");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        String uri;
        if (address != null) {
            body.put("address", address);
            uri = "/v1/ipam/release-address";
        } else {
            body.put("containerId", container);
            body.put("ifName", ifName);
            uri = "/v1/ipam/release";
        }
        return new ApiCall(spec, o).post(uri, body, j -> spec.commandLine().getOut().println(j.path("released").asBoolean()
                ? "released " + j.path("address").asText() : "nothing was held (nothing changed)"));
    }

    /** {@code gannet show ipam}: the block line, then one row per held address. */
    static void render(JsonNode j, PrintWriter out) {
        JsonNode s = j.path("summary");
        out.printf("block %s  gateway %s  from %s%n", s.path("block").asText(), s.path("gateway").asText(), s.path("source").asText());
        out.printf("usable %d  used %d  reserved %d  free %d  fixed IPs held here %d%n", s.path("usable").asInt(), s.path("used").asInt(),
                s.path("reserved").asInt(), s.path("free").asInt(), s.path("fixedHere").asInt());
        if (s.hasNonNull("block6")) { // a dual-stack node: each pod also has an address of this block
            out.printf("block %s  gateway %s  from %s  used %d  free %d%s%n", s.path("block6").asText(), s.path("gateway6").asText(),
                    s.path("source6").asText(), s.path("used6").asInt(), s.path("free6").asInt(),
                    s.hasNonNull("fixedIpPool6") ? "  fixed IPs held here " + s.path("fixedHere6").asInt() : "");
        }
        out.println();
        Render.section(j.path("ipam"), out);
    }
}
