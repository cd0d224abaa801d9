package io.gannet.bpf.policy;

import io.gannet.bpf.maps.PolicyMapKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint's ingress entries as dp_policy4 keys and verdicts: a pure function.
 *
 * <p>Two rules make the programs' two longest-prefix lookups (exact identity, any identity)
 * give the reference answer (deny at any specificity beats every allow):
 * <ul>
 *   <li>a port on "any protocol" is written once per protocol that has ports (TCP, UDP, SCTP):
 *       the key orders protocol before port, so a port cannot follow a wildcard protocol;</li>
 *   <li>an allow key covered by a deny key of the same identity (a shorter prefix) is written
 *       as that deny: otherwise the longest match would find the allow and miss the deny.
 *       A deny nested inside a wider allow needs nothing: it is the longer match.</li>
 * </ul>
 * The same key from an allow and a deny is a deny.
 */
public final class PolicyEncoding {
    /** Protocols with ports: TCP, UDP, SCTP. */
    static final int[] PORT_PROTOCOLS = {6, 17, 132};

    private PolicyEncoding() {}

    /** The verdict of one dp_policy4 entry. */
    public record Verdict(boolean deny, int ruleId) {}

    public static Map<PolicyMapKey, Verdict> encode(int epId, Collection<IngressEntry> entries) {
        Map<PolicyMapKey, Verdict> out = new HashMap<>();
        for (IngressEntry e : entries) {
            if (e.protocol() == 0 && e.portPrefixBits() > 0) {
                for (int p : PORT_PROTOCOLS) {
                    put(out, PolicyMapKey.of(epId, e.identity(), p, e.port(), e.portPrefixBits()), e);
                }
            } else {
                put(out, PolicyMapKey.of(epId, e.identity(), e.protocol(), e.port(), e.portPrefixBits()), e);
            }
        }
        // Deny precedence inside one identity: few denies per endpoint, so a scan per deny.
        List<Map.Entry<PolicyMapKey, Verdict>> denies = new ArrayList<>();
        for (Map.Entry<PolicyMapKey, Verdict> en : out.entrySet()) {
            if (en.getValue().deny()) {
                denies.add(en);
            }
        }
        if (!denies.isEmpty()) {
            for (Map.Entry<PolicyMapKey, Verdict> en : out.entrySet()) {
                if (en.getValue().deny()) {
                    continue;
                }
                for (Map.Entry<PolicyMapKey, Verdict> d : denies) {
                    if (d.getKey().covers(en.getKey())) {
                        en.setValue(d.getValue());
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static void put(Map<PolicyMapKey, Verdict> out, PolicyMapKey k, IngressEntry e) {
        Verdict old = out.get(k);
        if (old == null || (e.deny() && !old.deny())) {
            out.put(k, new Verdict(e.deny(), e.ruleId()));
        }
    }
}
