package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.agent.control.server.JsonCodec;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gannet monitor --drops}: streams the packets ingress policy drops, one line each, like
 * {@code cilium monitor --type drop}: source (address:port, identity), destination pod, protocol,
 * reason and rule. Follows until interrupted, or until {@code --count} drops were printed.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Streams datapath events from the running daemon: --drops, the packets ingress and egress policy drop",
            "(source, identity, destination pod and port, reason, rule). Exit code 5 without --policy-dir."})
public final class MonitorCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Option(names = "--drops", description = "Packets dropped by ingress or egress policy (reason egress_* for egress).")
    boolean drops;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N drops (default: follow until interrupted).")
    Integer count;

    @Option(names = "--from-start", description = "Also print the drops the daemon still holds from before (up to 4096).")
    boolean fromStart;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "200", description = "Poll interval (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Override
    public Integer call() throws InterruptedException {
        if (!drops) {
            throw new ParameterException(spec.commandLine(), "what to monitor: --drops");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long after = -1;
        int printed = 0;
        while (true) {
            ControlClient.Response r;
            try {
                r = options.client().get("/v1/drops?after=" + Math.max(after, 0));
            } catch (DaemonUnreachableException e) {
                err.println("gannet: " + e.getMessage());
                err.flush();
                return ExitCodes.NO_DAEMON;
            }
            JsonNode j;
            try {
                j = JsonCodec.mapper().readTree(r.body());
            } catch (IOException e) {
                err.println("gannet: the daemon sent an answer that is not JSON (HTTP " + r.status() + ")");
                err.flush();
                return ExitCodes.DAEMON_ERROR;
            }
            if (r.status() >= 400) {
                err.println("gannet: " + j.path("message").asText("HTTP " + r.status()));
                err.flush();
                return r.status() >= 500 ? ExitCodes.DAEMON_ERROR : ExitCodes.REJECTED;
            }
            boolean skip = after < 0 && !fromStart;
            for (JsonNode d : j.path("drops")) {
                if (skip) {
                    continue;
                }
                if (options.json()) {
                    out.println(d.toString());
                } else {
                    boolean egress = d.path("direction").asText().equals("egress");
                    String peer = " (identity " + d.path("identity").asText() + ")";
                    String pod = " (" + d.path("endpoint").asText() + ")";
                    out.println(d.path("time").asText() + " DROP " + d.path("reason").asText() + " " + d.path("protocol").asText()
                            + " " + d.path("source").asText() + (egress ? pod : peer) + " -> "
                            + d.path("destination").asText() + (egress ? peer : pod) + " rule: " + d.path("rule").asText());
                }
                printed++;
                if (count != null && printed >= count) {
                    out.flush();
                    return ExitCodes.OK;
                }
            }
            out.flush();
            after = j.path("last").asLong(0);
            Thread.sleep(intervalMs);
        }
    }
}
