package io.gannet.topology.resolve;

import io.gannet.topology.config.FabricModel;
import io.gannet.topology.model.AsnPlan;
import io.gannet.topology.model.AsnScheme;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.Rack;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Asn;
import io.gannet.topology.validate.Problems;
import io.gannet.topology.yaml.Location;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Gives every host and switch its AS following {@code spec.asn}.
 *
 * <p>Numbering: with {@code per-node} the hosts, with {@code per-rack} the racks, in inventory
 * order and skipping those with an override, take {@code base}, {@code base+1}, ... (values an
 * override already uses are skipped too). Appending a host or rack at the end of its list
 * never renumbers others; inserting one in the middle does, and {@code gannet profile diff}
 * shows it. Pin an AS with an override to make it independent of order.
 */
final class AsnAssigner {
    private final TopologyProfile p;
    private final Problems problems;

    AsnAssigner(TopologyProfile p, Problems problems) {
        this.p = p;
        this.problems = problems;
    }

    /** Host name -> AS; hosts whose AS cannot be decided are missing (and reported). */
    Map<String, Long> assignHosts() {
        AsnPlan plan = p.asn();
        Map<String, Long> out = new LinkedHashMap<>();
        if (plan == null || plan.scheme() == null || plan.base() == null || p.model() == null) {
            return out;
        }
        long base = plan.base();
        if (p.model() == FabricModel.IBGP_CORE) {
            if (plan.scheme() != AsnScheme.SINGLE) {
                problems.error(plan.schemeAt(), "an ibgp-core profile has one AS for the data center: spec.asn.scheme must be single, got " + plan.scheme().yamlName());
                return out;
            }
            for (Located<Long> o : plan.overrides().values()) {
                problems.error(o.at(), "ibgp-core: every node is in the data center's AS " + base + "; an override would turn its sessions into eBGP");
            }
        } else if (!Asn.isPrivate4Octet(base)) {
            problems.error(plan.baseAt(), "spec.asn.base " + base + " must lie in the 4-octet private range "
                    + Asn.PRIVATE_4_OCTET_FIRST + "-" + Asn.PRIVATE_4_OCTET_LAST + " (RFC 6996)");
            return out;
        }
        switch (plan.scheme()) {
            case SINGLE -> {
                checkOverrideKeys(plan, hostNames(), "host");
                for (HostSpec h : p.hosts()) {
                    if (h.name() != null) {
                        Located<Long> o = plan.overrides().get(h.name());
                        out.put(h.name(), o != null ? o.value() : base);
                    }
                }
            }
            case PER_NODE -> {
                checkOverrideKeys(plan, hostNames(), "host");
                Map<String, Long> byName = number(plan, p.hosts().stream().map(HostSpec::name).filter(n -> n != null).toList(), "host");
                out.putAll(byName);
            }
            case PER_RACK -> {
                checkOverrideKeys(plan, rackNames(), "rack");
                Map<String, Long> byRack = number(plan, p.racks().stream().map(Rack::name).distinct().toList(), "rack");
                for (HostSpec h : p.hosts()) {
                    if (h.name() == null) {
                        continue;
                    }
                    if (h.rack() == null) {
                        problems.error(h.source().location(), "host " + h.name() + " needs a rack: spec.asn.scheme per-rack takes a host's AS from its rack");
                    } else if (byRack.containsKey(h.rack())) {
                        out.put(h.name(), byRack.get(h.rack()));
                    }
                }
            }
        }
        return out;
    }

    /** Sequential numbers from the base for {@code names}, overrides pinned; reports reuse and overflow. */
    private Map<String, Long> number(AsnPlan plan, java.util.List<String> names, String what) {
        Map<String, Long> out = new LinkedHashMap<>();
        Map<Long, String> used = new HashMap<>();
        for (String n : names) {
            Located<Long> o = plan.overrides().get(n);
            if (o == null) {
                continue;
            }
            String prev = used.putIfAbsent(o.value(), n);
            if (prev != null) {
                problems.error(o.at(), "AS " + o.value() + " of " + what + " " + n + " is already used by " + what + " " + prev
                        + "; scheme " + plan.scheme().yamlName() + " gives every " + what + " its own AS");
            }
            out.put(n, o.value());
        }
        long next = plan.base();
        boolean overflowReported = false;
        for (String n : names) {
            if (plan.overrides().containsKey(n)) {
                continue;
            }
            while (used.containsKey(next)) {
                next++;
            }
            if (next > Asn.PRIVATE_4_OCTET_LAST) {
                if (!overflowReported) {
                    problems.error(plan.baseAt(), "spec.asn.base " + plan.base() + " leaves too few private ASNs: " + what + " " + n
                            + " would get " + next + ", past " + Asn.PRIVATE_4_OCTET_LAST + " (RFC 6996)");
                    overflowReported = true;
                }
                continue;
            }
            used.put(next, n);
            out.put(n, next);
            next++;
        }
        return out;
    }

    /** Switch name -> AS. In ibgp-core a switch without asn is in the data center's AS. */
    Map<String, Long> assignSwitches(Map<String, Long> hostAsn) {
        Map<String, Long> out = new HashMap<>();
        AsnPlan plan = p.asn();
        Long dcAs = plan == null ? null : plan.base();
        Set<Long> hostValues = new HashSet<>(hostAsn.values());
        for (SwitchSpec s : p.switches()) {
            if (s.name() == null) {
                continue;
            }
            Location at = s.source().locationOf("asn");
            if (p.model() == FabricModel.IBGP_CORE) {
                if (s.asn() != null && dcAs != null && !s.asn().equals(dcAs)) {
                    problems.error(at, "ibgp-core: switch " + s.name() + " has AS " + s.asn() + " but the data center's AS is " + dcAs
                            + " (spec.asn.base); the sessions would not be iBGP");
                }
                if (dcAs != null) {
                    out.put(s.name(), s.asn() != null ? s.asn() : dcAs);
                }
            } else if (p.model() == FabricModel.EBGP_LEAF) {
                if (s.asn() == null) {
                    if (!s.source().entries().containsKey("asn")) {
                        problems.error(s.source().location(), "ebgp-leaf: switch " + s.name() + " needs an asn");
                    }
                    continue;
                }
                if (hostValues.contains(s.asn())) {
                    String host = hostAsn.entrySet().stream().filter(e -> e.getValue().equals(s.asn())).map(Map.Entry::getKey).findFirst().orElse("?");
                    problems.error(at, "AS " + s.asn() + " of switch " + s.name() + " is already the AS of host " + host
                            + "; ebgp-leaf sessions need different ASes on each end");
                }
                out.put(s.name(), s.asn());
            }
        }
        return out;
    }

    private void checkOverrideKeys(AsnPlan plan, Set<String> known, String what) {
        for (Map.Entry<String, Located<Long>> e : plan.overrides().entrySet()) {
            if (!known.contains(e.getKey())) {
                problems.error(e.getValue().at(), "spec.asn.overrides names " + what + " '" + e.getKey() + "', which the inventory does not list (scheme "
                        + plan.scheme().yamlName() + " overrides by " + what + " name)");
            }
        }
    }

    private Set<String> hostNames() {
        Set<String> s = new HashSet<>();
        p.hosts().forEach(h -> { if (h.name() != null) s.add(h.name()); });
        return s;
    }

    private Set<String> rackNames() {
        Set<String> s = new HashSet<>();
        p.racks().forEach(r -> s.add(r.name()));
        return s;
    }
}
