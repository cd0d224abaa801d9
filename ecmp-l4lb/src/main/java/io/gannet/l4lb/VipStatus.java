package io.gannet.l4lb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code gannet show vips}: a VIP frontend (or a VIP address the profile lists
 * without a Service, or refused input) with its backends, their health and weights, the
 * route's state and the Maglev table's fingerprint.
 *
 * @param vip         VIP address
 * @param frontend    "203.0.113.10:80/TCP", or "" for an address-only row
 * @param name        Service (namespace/name:port) or "" 
 * @param route       announced, withdrawn, suppressed (flapping), draining, drained, refused, or held (a
 *                    frontend the datapath re-adopted from an earlier run, before the first list of the
 *                    Services: its name, weights and health are not known yet)
 * @param reason      why the route is in that state
 * @param fingerprint the table's fingerprint (same backends, weights and health -> same on every host)
 * @param tableSize   entries of the Maglev table (the profile's maglev.tableSize), 0 without one
 * @param slots       the table's Maglev slots: how many, how many empty (left by backends that left the Service
 *                    while the slots are agreed among the LB hosts), and where they are agreed; "" without a table
 * @param check       the health check, described
 * @param datapath    which program serves the VIP's packets: "tc", "xdp generic (...)" / "xdp native (...)"
 *                    with {@code gannet run --xdp}, or why the VIP is left to TC; "" for an address-only row
 * @param backends    every backend (ready or not) with weight, readiness, health and last probe result;
 *                    the row's "healthy" counts those that take new flows
 */
public record VipStatus(String vip, String frontend, String name, String route, String reason, String fingerprint,
        int tableSize, String slots, String check, String datapath, List<BackendStatus> backends) {

    /**
     * A backend of a VIP.
     *
     * @param state        its readiness in the EndpointSlice: "ready", "not ready", "terminating",
     *                     "terminating, serving: no endpoint is ready" (it takes new flows) or
     *                     "terminating, serving: endpoints are ready" (it does not)
     * @param probed       its health is checked: false for a backend that is not ready or terminating and no
     *                     longer serving (it takes no flows, so it is not probed)
     * @param checkUp      its health check passes (false when not probed)
     * @param healthy      it takes new flows: it serves by its state and its check passes
     * @param tableEntries the entries it holds now (0 while not healthy)
     */
    public record BackendStatus(String backend, int weight, String state, boolean probed, boolean checkUp, boolean healthy,
            String lastResult, int tableEntries) {}

    public VipStatus {
        backends = List.copyOf(backends);
    }

    /** The row as the control API serves it (keys in display order). */
    public Map<String, Object> toRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("vip", vip.contains(":") ? vip + "/128" : vip + "/32");
        row.put("frontend", frontend);
        row.put("service", name);
        row.put("route", route);
        row.put("healthy", backends.stream().filter(BackendStatus::healthy).count() + "/" + backends.size());
        row.put("fingerprint", fingerprint);
        row.put("tableSize", tableSize);
        row.put("slots", slots);
        row.put("reason", reason);
        row.put("check", check);
        row.put("datapath", datapath);
        List<Map<String, Object>> bs = new ArrayList<>();
        for (BackendStatus b : backends) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backend", b.backend());
            m.put("weight", b.weight());
            m.put("state", b.state());
            m.put("health", !b.probed() ? "not probed" : b.checkUp() ? "up" : "down");
            m.put("serving", b.healthy());
            m.put("lastResult", b.lastResult());
            m.put("tableEntries", b.tableEntries());
            bs.add(m);
        }
        row.put("backends", bs);
        return row;
    }
}
