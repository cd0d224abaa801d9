package io.gannet.netpolicy.model;

import java.util.List;

/**
 * One rule: in {@code direction} INGRESS, traffic from any of {@code peers} to any of
 * {@code ports} of the selected endpoint; in EGRESS, traffic from the selected endpoint to any of
 * {@code peers} on any of {@code ports} (the peer's port). An empty peer list is anywhere, an
 * empty port list every port. {@code source} names the rule in its file ("spec.ingress[0]",
 * "spec.egress[1]") for {@code show policy} and drop reports.
 */
public record Rule(Action action, Direction direction, List<Peer> peers, List<PortRule> ports, String source) {
    public enum Action { ALLOW, DENY }

    public enum Direction { INGRESS, EGRESS }

    public Rule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }

    /** An ingress rule. */
    public Rule(Action action, List<Peer> peers, List<PortRule> ports, String source) {
        this(action, Direction.INGRESS, peers, ports, source);
    }
}
