package io.gannet.topology.config;

import java.util.List;

/**
 * An ordered list of statements. Rendered policies always end in a statement that decides
 * (the profile's defaults are appended), so a route that falls through every user statement
 * still gets the safe default: import rejects, export sends only the host's own prefixes.
 */
public record RoutePolicy(List<PolicyStatement> statements) {
    public RoutePolicy {
        statements = List.copyOf(statements);
    }
}
