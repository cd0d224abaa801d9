package io.gannet.agent.cli;

import io.gannet.agent.control.server.RequestBodies;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gannet drain [--grace 30s]}: the L4LB host withdraws its VIPs at once, keeps serving
 * the flows it has for the grace period, and the command returns when the drain is done.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "L4LB: withdraw this host's VIPs, keep serving established flows for the grace period, then report done.")
public final class DrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Option(names = "--grace", defaultValue = "30s", description = "How long established flows are served (default ${DEFAULT-VALUE}).")
    String grace;

    @Option(names = "--no-wait", description = "Return at once instead of waiting for the grace period to end.")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
        var out = spec.commandLine().getOut();
        try {
            RequestBodies.Drain.parseGrace(grace);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("gannet: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ApiCall api = new ApiCall(spec, options);
        String[] state = {""};
        int rc = api.post("/v1/drain", Map.of("grace", grace), j -> {
            state[0] = j.path("message").asText();
            out.println("VIPs withdrawn; " + state[0]);
        });
        if (rc != ExitCodes.OK || noWait || options.json()) {
            return rc;
        }
        while (!state[0].equals("drained")) {
            Thread.sleep(500);
            rc = api.get("/v1/drain", j -> state[0] = j.path("message").asText());
            if (rc != ExitCodes.OK) {
                return rc;
            }
        }
        out.println("drained: established flows had their grace period");
        out.flush();
        return ExitCodes.OK;
    }
}
