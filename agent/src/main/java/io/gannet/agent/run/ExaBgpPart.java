package io.gannet.agent.run;

import io.gannet.agent.control.ReloadResult;
import io.gannet.agent.logging.EventLog;
import io.gannet.l4lb.exabgp.ExaApi;
import io.gannet.l4lb.exabgp.ExaCommand;
import io.gannet.l4lb.exabgp.ExaProcess;
import io.gannet.l4lb.exabgp.ExaSocketServer;
import io.gannet.l4lb.exabgp.RouteSink;
import io.gannet.l4lb.model.VipPool;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ExaBGP-compatible text API inside the daemon ({@code --exabgp-socket},
 * {@code --exabgp-process NAME=COMMAND}): routes go to the speaker through
 * {@link SpeakerAnnouncer}; the logic lives in ecmp-l4lb's exabgp package.
 */
final class ExaBgpPart implements AutoCloseable {
    private final ExaApi api;
    private String current; // the pool's text, for a reload's answer; the reload's caller serializes reloads
    private final ExaSocketServer server;
    private final List<ExaProcess> processes;

    private ExaBgpPart(ExaApi api, ExaSocketServer server, List<ExaProcess> processes) {
        this.api = api;
        this.server = server;
        this.processes = processes;
    }

    private static VipPool pool(NodeConfig node) {
        return VipPool.of(node.vipPool().stream().map(Cidr::toString).toList());
    }

    /**
     * A reload's profile: lines are checked against its VIP pool from now on, and routes the API
     * announced outside it are withdrawn.
     */
    ReloadResult.Part reload(NodeConfig node) {
        VipPool next = pool(node);
        String before = current;
        if (next.toString().equals(before)) {
            return new ReloadResult.Part("exabgp api", ReloadResult.Outcome.UNCHANGED, "");
        }
        List<String> withdrawn = api.setPool(next);
        current = next.toString();
        return new ReloadResult.Part("exabgp api", ReloadResult.Outcome.APPLIED,
                "VIP pool " + before + " -> " + next + (withdrawn.isEmpty() ? "" : ", withdrawn " + withdrawn));
    }

    static ExaBgpPart start(NodeConfig node, Path socket, List<String> processSpecs, SpeakerAnnouncer announcer, EventLog log)
            throws IOException {
        RouteSink sink = new RouteSink() {
            @Override
            public void announce(ExaCommand c) {
                InetAddress nh;
                try {
                    nh = c.nextHop() == null ? null : InetAddress.getByName(c.nextHop());
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("next-hop " + c.nextHop() + " is not an address");
                }
                List<String> communities = new ArrayList<>(c.communities());
                communities.addAll(c.largeCommunities());
                announcer.announce(c.prefix(), nh, communities, c.med(), c.localPref(), c.origin());
            }

            @Override
            public void withdraw(String prefix) {
                announcer.withdraw(prefix);
            }
        };
        ExaApi api = new ExaApi(sink, pool(node), log::operatorAction);
        List<ExaProcess> procs = new ArrayList<>();
        for (String spec : processSpecs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || spec.substring(eq + 1).isBlank()) {
                throw new IllegalArgumentException("--exabgp-process '" + spec + "': expected NAME=COMMAND [ARGS]");
            }
            procs.add(ExaProcess.start(spec.substring(0, eq), List.of(spec.substring(eq + 1).trim().split("\\s+")), api,
                    log::operatorAction));
        }
        ExaSocketServer server = null;
        if (socket != null) {
            try {
                server = ExaSocketServer.start(socket, api);
            } catch (IOException e) {
                procs.forEach(ExaProcess::close);
                throw new UncheckedIOException(e);
            }
            log.operatorAction("exabgp-api", socket.toString(), "listening");
        }
        ExaBgpPart part = new ExaBgpPart(api, server, procs);
        part.current = pool(node).toString();
        return part;
    }

    @Override
    public void close() {
        processes.forEach(ExaProcess::close);
        if (server != null) {
            server.close();
        }
    }
}
