package io.gannet.agent.cli;

import io.gannet.agent.control.server.RequestBodies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet peer disable|enable|reset NAME}: administrative control of one BGP session. */
@Command(name = "peer", mixinStandardHelpOptions = true, description = "Disable, enable, reset or refresh a BGP session.")
public final class PeerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: a usage error that lists the subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of " + spec.subcommands().keySet());
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Send Cease/Administrative Shutdown (RFC 4486) and keep the session down until enabled.")
    int disable(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name,
                @Option(names = "--message", paramLabel = "TEXT",
                        description = "Shutdown communication sent to the peer (RFC 8203/9003, at most 255 octets).") String message) {
        return action(o, name, "disable", new RequestBodies.PeerAction(message));
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let a disabled session connect again.")
    int enable(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name) {
        return action(o, name, "enable", new RequestBodies.Empty());
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Send Cease/Administrative Reset (RFC 4486) and let the session reconnect.")
    int reset(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name,
              @Option(names = "--message", paramLabel = "TEXT",
                      description = "Shutdown communication sent to the peer (RFC 8203/9003, at most 255 octets).") String message) {
        return action(o, name, "reset", new RequestBodies.PeerAction(message));
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true,
            description = {"Refresh routes without resetting the session: 'in' asks the peer to send its routes",
                "again (ROUTE-REFRESH, RFC 2918), 'out' sends it our Adj-RIB-Out again (soft reset out)."})
    int refresh(@Mixin ClientOptions o, @Parameters(index = "0", paramLabel = "NAME") String name,
                @Parameters(index = "1", paramLabel = "in|out") String direction) {
        return action(o, name, "refresh", new RequestBodies.Refresh(direction));
    }

    private int action(ClientOptions o, String name, String verb, Object body) {
        return new ApiCall(spec, o).post("/v1/peers/" + UriText.encode(name) + "/" + verb, body,
                j -> Render.commandResult(j, spec.commandLine().getOut()));
    }
}
