package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gannet endpoint add|remove|list}: external endpoints (VMs, bare-metal hosts) by
 * address and labels, held in the cluster store so that every host's policy sees them.
 */
@Command(name = "endpoint", mixinStandardHelpOptions = true,
        description = "Register, remove or list external endpoints (VMs, bare-metal hosts) that ingress policy selects by label.")
public final class EndpointCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of " + spec.subcommands().keySet());
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {
        "Register NAME (or replace it: a label change moves it to another identity on every host).",
        "Refused, with nothing changed, when an address overlaps the pod address space or another endpoint."})
    int add(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name,
            @Option(names = "--cidr", required = true, paramLabel = "ADDRESS[/LEN]", description = "An IPv4 address or prefix (repeatable).")
            List<String> cidrs,
            @Option(names = "--label", required = true, paramLabel = "KEY=VALUE", description = "A label policy selects on (repeatable).")
            List<String> labels,
            @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
                    description = "Its namespace (the label io.kubernetes.pod.namespace), default ${DEFAULT-VALUE}.") String namespace) {
        Map<String, String> l = new TreeMap<>();
        for (String kv : labels) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--label '" + kv + "': expected KEY=VALUE");
            }
            l.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("namespace", namespace);
        body.put("name", name);
        body.put("cidrs", cidrs);
        body.put("labels", l);
        return new ApiCall(spec, o).post("/v1/endpoints/add", body, j -> spec.commandLine().getOut().println(
                j.path("outcome").asText() + " " + j.path("endpoint").asText() + " " + strings(j.path("cidrs")) + " labels "
                        + j.path("labels").asText()));
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove NAME (one registered through the API; a file's entry goes with its file).")
    int remove(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name,
               @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default") String namespace) {
        return new ApiCall(spec, o).post("/v1/endpoints/remove", Map.of("namespace", namespace, "name", name),
                j -> spec.commandLine().getOut().println(j.path("outcome").asText() + " " + j.path("endpoint").asText()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The external endpoints in the cluster store and the identity this host gives each.")
    int list(@Mixin ClientOptions o) {
        return new ApiCall(spec, o).get("/v1/endpoints", j -> render(j, spec.commandLine().getOut()));
    }

    static void render(JsonNode j, PrintWriter out) {
        Table t = new Table("Endpoint", "Addresses", "Identity", "Labels", "Source");
        for (JsonNode e : j.path("endpoints")) {
            t.row(List.of(e.path("endpoint").asText(), String.join(",", strings(e.path("cidrs"))),
                    e.path("identity").isNull() || e.path("identity").isMissingNode() ? "(not applied yet)" : e.path("identity").asText(),
                    e.path("labels").asText(), e.path("source").asText()));
        }
        t.print(out);
        for (JsonNode p : j.path("problems")) {
            out.println("not applied: " + p.asText());
        }
        out.println("store: " + j.path("store").asText());
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
