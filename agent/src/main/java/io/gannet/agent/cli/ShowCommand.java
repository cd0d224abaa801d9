package io.gannet.agent.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet show ...}: the running daemon's state, like {@code birdc show}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show the running daemon's state (peers, one peer, routes, BFD, services, VIPs, policy, NAT, IPAM).")
public final class ShowCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: a usage error that lists the subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of " + spec.subcommands().keySet());
    }

    @Command(name = "peers", mixinStandardHelpOptions = true,
            description = "One line per BGP session: name, address, AS, state, since, prefixes received/accepted/advertised, BFD, last error.")
    int peers(@Mixin ClientOptions o) {
        return call(o).get("/v1/peers", j -> Render.peers(j, spec.commandLine().getOut()));
    }

    @Command(name = "peer", mixinStandardHelpOptions = true,
            description = {"One BGP session in full: state and uptime, AS numbers and router ids, negotiated hold and",
                "keepalive, capabilities, address families, prefix and message counters, flaps, last error."})
    int peer(@Mixin ClientOptions o, @Parameters(paramLabel = "NAME") String name) {
        return call(o).get("/v1/peers/" + UriText.encode(name) + "/detail", j -> Render.peerDetail(j, spec.commandLine().getOut()));
    }

    @Command(name = "routes", mixinStandardHelpOptions = true,
            description = {"Routes in the Loc-RIB. 'show routes for ADDRESS': the longest prefix that covers ADDRESS",
                "(like BIRD's 'show route for')."})
    int routes(@Mixin ClientOptions o,
               @Parameters(arity = "0..2", paramLabel = "PREFIX | for ADDRESS", description = "Only this prefix (with --longer: and more specifics), or 'for ADDRESS'.") List<String> words,
               @Option(names = "--peer", paramLabel = "NAME", description = "Only paths learned from this peer.") String peer,
               @Option(names = "--family", paramLabel = "ipv4|ipv6", description = "Only this address family.") String family,
               @Option(names = "--longer", description = "Include prefixes more specific than PREFIX.") boolean longer,
               @Option(names = "--limit", paramLabel = "N", description = "At most N routes (default 10000).") Integer limit,
               @Option(names = "--advertised", description = "With --peer: what was sent to that peer (Adj-RIB-Out, after export policy).") boolean advertised,
               @Option(names = "--received", description = "With --peer: what that peer sent, before import policy (pre-policy Adj-RIB-In).") boolean received,
               @Option(names = "--rejected", description = {"With --peer: what that peer sent that is not in the RIB: refused by import",
                   "policy, the AS_PATH loop check or a next hop of our own (BIRD's 'show route filtered')."}) boolean rejected) {
        String view = null;
        for (String[] v : new String[][] {{advertised ? "advertised" : null}, {received ? "received" : null}, {rejected ? "rejected" : null}}) {
            if (v[0] != null) {
                if (view != null) {
                    throw new ParameterException(spec.commandLine(), "--" + view + " and --" + v[0] + ": one view at a time");
                }
                view = v[0];
            }
        }
        if (view != null) {
            if (peer == null || (words != null && !words.isEmpty()) || longer || limit != null) {
                throw new ParameterException(spec.commandLine(), "--" + view + " needs --peer NAME (and takes only --family besides)");
            }
            return call(o).get("/v1/routes?" + view + "=true&peer=" + UriText.encode(peer)
                    + (family == null ? "" : "&family=" + UriText.encode(family)), j -> Render.routes(j, spec.commandLine().getOut()));
        }
        String prefix = null;
        if (words != null && !words.isEmpty()) {
            if (words.get(0).equals("for")) {
                if (words.size() != 2 || peer != null || family != null || longer || limit != null) {
                    throw new ParameterException(spec.commandLine(), "usage: gannet show routes for ADDRESS (no other filter)");
                }
                return call(o).get("/v1/routes?for=" + UriText.encode(words.get(1)), j -> Render.routes(j, spec.commandLine().getOut()));
            }
            if (words.size() > 1) {
                throw new ParameterException(spec.commandLine(), "one PREFIX, or 'for ADDRESS'; got " + words);
            }
            prefix = words.get(0);
        }
        List<String> q = new ArrayList<>();
        if (prefix != null) {
            q.add("prefix=" + UriText.encode(prefix));
        }
        if (peer != null) {
            q.add("peer=" + UriText.encode(peer));
        }
        if (family != null) {
            q.add("family=" + UriText.encode(family));
        }
        if (longer) {
            q.add("longer=true");
        }
        if (limit != null) {
            q.add("limit=" + limit);
        }
        String uri = "/v1/routes" + (q.isEmpty() ? "" : "?" + String.join("&", q));
        return call(o).get(uri, j -> Render.routes(j, spec.commandLine().getOut()));
    }

    @Command(name = "route", mixinStandardHelpOptions = true,
            description = "One prefix; with --detail every candidate path, every attribute and why the best one won.")
    int route(@Mixin ClientOptions o,
              @Parameters(paramLabel = "PREFIX") String prefix,
              @Option(names = "--detail", description = "All candidate paths and attributes.") boolean detail) {
        if (detail) {
            return call(o).get("/v1/routes/" + UriText.encode(prefix) + "/detail",
                    j -> Render.routeDetail(j, spec.commandLine().getOut()));
        }
        return call(o).get("/v1/routes?prefix=" + UriText.encode(prefix), j -> Render.routes(j, spec.commandLine().getOut()));
    }

    @Command(name = "bfd", mixinStandardHelpOptions = true, description = "BFD sessions.")
    int bfd(@Mixin ClientOptions o) {
        return call(o).get("/v1/bfd", j -> Render.bfd(j, spec.commandLine().getOut()));
    }

    @Command(name = "vips", mixinStandardHelpOptions = true, description = "VIPs of the L4 load balancer: backends, health, weights, route state, Maglev table fingerprint (exit code 5 on a host that runs no L4LB).")
    int vips(@Mixin ClientOptions o) {
        return call(o).get("/v1/vips", j -> Render.vips(j.path("vips"), spec.commandLine().getOut()));
    }

    @Command(name = "services", mixinStandardHelpOptions = true, description = "Services and their backends.")
    int services(@Mixin ClientOptions o) {
        return section(o, "services");
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = {
        "Ingress policy in force: per pod its identity, the policies that select it and what they allow",
        "(from whom, protocol, ports), per-rule packet counts; the policies' unsupported fields; files",
        "not applied (a bad file keeps its previous version: fail closed). Exit code 5 without --policy-dir."})
    int policy(@Mixin ClientOptions o,
               @Parameters(arity = "0..1", paramLabel = "ENDPOINT", description = "One pod: namespace/name, name or address.") String endpoint) {
        return call(o).get("/v1/policy" + (endpoint == null ? "" : "?endpoint=" + UriText.encode(endpoint)),
                j -> PolicyText.render(j, spec.commandLine().getOut()));
    }

    @Command(name = "nat", mixinStandardHelpOptions = true, description = {
        "SNAT masquerade (the profile's spec.masquerade): the node address per host device, how full the",
        "table is, how many random ports new flows tried, and every live translation (pod, node, destination)."})
    int nat(@Mixin ClientOptions o) {
        return call(o).get("/v1/nat", j -> NatText.render(j, spec.commandLine().getOut()));
    }

    @Command(name = "ipam", mixinStandardHelpOptions = true, description = "This node's pod addresses: its block, used/free, each pod's address and owner, fixed IPs held here (exit code 5 on a host without a PodCIDR).")
    int ipam(@Mixin ClientOptions o) {
        return call(o).get("/v1/ipam", j -> IpamCommand.render(j, spec.commandLine().getOut()));
    }

    private int section(ClientOptions o, String name) {
        return call(o).get("/v1/" + name, j -> Render.section(j.path(name), spec.commandLine().getOut()));
    }

    private ApiCall call(ClientOptions o) {
        return new ApiCall(spec, o);
    }
}
