package io.gannet.agent.control;

import java.util.List;

/** The answer to a {@link RouteQuery}: entries in prefix order, and whether the limit cut them. */
public record RouteList(List<RouteEntry> routes, boolean truncated) {
    public RouteList {
        routes = List.copyOf(routes);
    }
}
