package io.gannet.agent.profile;

import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.resolve.SecretResolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code profile check} reads the profile's MD5 references the way {@code run} and
 * {@code render} do (missing, empty, oversized, world-readable key files; unset environment
 * variables), so a profile they would refuse fails the check too. Every host-switch session
 * appears in some switch's view, so resolving each switch's view reaches every reference;
 * each reference is read once, and each refusal is reported once with the first switch whose
 * sessions need it. The values never leave the resolver.
 */
final class SecretCheck {
    private SecretCheck() {}

    static List<String> refusedReferences(LoadedProfile p) {
        SecretResolver system = SecretResolver.system();
        Map<String, Object> seen = new HashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (String sw : p.switchNames()) {
            SecretResolver once = ref -> {
                String key = ref.source() + ":" + ref.reference();
                Object r = seen.computeIfAbsent(key, k -> {
                    try {
                        return system.resolve(ref);
                    } catch (SecretResolver.SecretUnavailableException e) {
                        return e;
                    }
                });
                if (r instanceof SecretResolver.SecretUnavailableException e) {
                    refused.putIfAbsent(key, e.getMessage() + " (needed by the sessions of switch " + sw + ")");
                    // Keep going: report every refused reference, not only the first.
                    return new Md5Secret(ref.source(), ref.reference(), null);
                }
                return (Md5Secret) r;
            };
            try {
                p.switchView(sw, once);
            } catch (ProfileException e) {
                refused.putIfAbsent("switch:" + sw, e.getMessage());
            }
        }
        return new ArrayList<>(refused.values());
    }

}
