package io.gannet.topology.model;

import io.gannet.topology.config.PolicyStatement;
import java.util.List;

/**
 * User statements for one role's (or one host's) import and export; null = unset. The
 * renderer appends the safe defaults after them.
 */
public record PolicySpec(List<PolicyStatement> imports, List<PolicyStatement> exports) {

    public static final PolicySpec EMPTY = new PolicySpec(null, null);

    public PolicySpec overlay(PolicySpec over) {
        if (over == null) {
            return this;
        }
        return new PolicySpec(BgpSettings.pick(over.imports, imports), BgpSettings.pick(over.exports, exports));
    }
}
