package io.gannet.agent.cli;

import io.gannet.agent.control.server.RequestBodies;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet announce PREFIX [attributes]}: originate a route at run time. */
@Command(name = "announce", mixinStandardHelpOptions = true,
        description = {"Originate a route from this daemon and send it to every peer whose export policy accepts it;",
            "prints the peers it went to and warns when none did. Prefixes the profile originates need --force."})
public final class AnnounceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Parameters(paramLabel = "PREFIX", description = "For example 192.0.2.10/32 or 2001:db8::/48; a bare address is a host route.")
    String prefix;

    @Option(names = "--community", paramLabel = "ASN:VALUE", description = "RFC 1997 community, or no-export, no-advertise, ... (repeatable).")
    List<String> communities;

    @Option(names = "--large-community", paramLabel = "G:L1:L2", description = "RFC 8092 large community (repeatable).")
    List<String> largeCommunities;

    @Option(names = "--med", paramLabel = "N", description = "MULTI_EXIT_DISC.")
    Long med;

    @Option(names = "--local-pref", paramLabel = "N", description = "LOCAL_PREF (iBGP).")
    Long localPref;

    @Option(names = "--next-hop", paramLabel = "IP", description = "Next hop to advertise (default: the session's local address).")
    String nextHop;

    @Option(names = "--origin", paramLabel = "igp|egp|incomplete", description = "ORIGIN (default igp).")
    String origin;

    @Option(names = "--force", description = "Replace a route the profile originates (refused without it).")
    boolean force;

    @Option(names = "--persist", description = {"Store the route in the daemon's state dir and announce it again",
        "after a restart (without it, the route ends with the daemon)."})
    boolean persist;

    @Override
    public Integer call() {
        RequestBodies.Announce body = new RequestBodies.Announce(prefix, nextHop, origin, med, localPref,
                communities, largeCommunities, force ? Boolean.TRUE : null, persist ? Boolean.TRUE : null);
        return new ApiCall(spec, options).post("/v1/announce", body,
                j -> Render.commandResult(j, spec.commandLine().getOut(), spec.commandLine().getErr()));
    }
}
