package io.gannet.agent.metrics;

import io.gannet.agent.control.Family;
import java.util.Objects;

/**
 * The size of the RIB stages for one family.
 *
 * @param family          the family
 * @param locRibPrefixes  prefixes with a best path
 * @param locRibPaths     paths in the Loc-RIB (ECMP members and alternatives included)
 * @param adjRibInPaths   paths in all Adj-RIBs-In together, before import policy
 * @param adjRibOutPaths  paths in all Adj-RIBs-Out together
 */
public record RibSize(Family family, long locRibPrefixes, long locRibPaths, long adjRibInPaths, long adjRibOutPaths) {
    public RibSize {
        Objects.requireNonNull(family, "family");
    }
}
