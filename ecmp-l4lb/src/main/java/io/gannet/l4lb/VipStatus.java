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
 * @param route       announced, withdrawn, suppressed (flapping), draining, drained, refused
 * @param reason      why the route is in that state
 * @param fingerprint the table's fingerprint (same backends, weights and health -> same on every host)
 * @param tableSize   entries of the Maglev table (the profile's maglev.tableSize), 0 without one
 * @param check       the health check, described
 * @param backends    every backend with weight, health and last probe result
 */
public record VipStatus(String vip, String frontend, String name, String route, String reason, String fingerprint,
        int tableSize, String check, List<BackendStatus> backends) {

    /** A backend of a VIP; {@code tableEntries}: the entries it holds now (0 while unhealthy). */
    public record BackendStatus(String backend, int weight, boolean healthy, String lastResult, int tableEntries) {}

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
        row.put("reason", reason);
        row.put("check", check);
        List<Map<String, Object>> bs = new ArrayList<>();
        for (BackendStatus b : backends) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backend", b.backend());
            m.put("weight", b.weight());
            m.put("health", b.healthy() ? "up" : "down");
            m.put("lastResult", b.lastResult());
            m.put("tableEntries", b.tableEntries());
            bs.add(m);
        }
        row.put("backends", bs);
        return row;
    }
}
