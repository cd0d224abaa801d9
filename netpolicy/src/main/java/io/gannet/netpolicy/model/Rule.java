package io.gannet.netpolicy.model;

import java.util.List;

/**
 * One ingress rule: traffic from any of {@code peers} (an empty list: from anywhere) to any
 * of {@code ports} (an empty list: every port) gets {@code action}. {@code source} names the
 * rule in its file ("spec.ingress[0]") for {@code show policy} and drop reports.
 */
public record Rule(Action action, List<Peer> peers, List<PortRule> ports, String source) {
    public enum Action { ALLOW, DENY }

    public Rule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }
}
