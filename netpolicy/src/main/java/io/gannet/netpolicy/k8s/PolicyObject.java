package io.gannet.netpolicy.k8s;

import io.gannet.netpolicy.model.Policy;
import java.util.List;

/**
 * One policy object as read: the policy when it is valid, or the errors that refuse it. A refused
 * object never changes what is enforced (fail closed: its endpoints keep their previous policy).
 *
 * @param origin "file:line" of the object, for every message about it
 */
public record PolicyObject(String kind, String namespace, String name, String origin, Policy policy, List<String> errors) {
    public PolicyObject {
        errors = List.copyOf(errors);
    }

    public boolean valid() {
        return policy != null;
    }

    public String key() {
        return kind + ":" + (namespace == null ? "" : namespace + "/") + name;
    }
}
