package io.gannet.agent.metrics;

import io.gannet.agent.control.Family;
import java.util.Objects;

/**
 * One peer's counters for one address family (a BIRD "channel").
 *
 * @param family          the family
 * @param received        prefixes in the Adj-RIB-In before import policy
 * @param accepted        prefixes import policy accepted (BIRD "imported")
 * @param filtered        prefixes import policy dropped (BIRD "filtered")
 * @param advertised      prefixes in the Adj-RIB-Out (BIRD "exported")
 * @param preferred       accepted prefixes whose best path came from this peer (BIRD "preferred")
 * @param importUpdates   change statistics of received announcements
 * @param importWithdraws change statistics of received withdrawals
 * @param exportUpdates   change statistics of announcements towards the peer
 * @param exportWithdraws change statistics of withdrawals towards the peer
 */
public record FamilyMetrics(
        Family family,
        long received,
        long accepted,
        long filtered,
        long advertised,
        long preferred,
        ChangeStats importUpdates,
        ChangeStats importWithdraws,
        ChangeStats exportUpdates,
        ChangeStats exportWithdraws) {

    public FamilyMetrics {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(importUpdates, "importUpdates");
        Objects.requireNonNull(importWithdraws, "importWithdraws");
        Objects.requireNonNull(exportUpdates, "exportUpdates");
        Objects.requireNonNull(exportWithdraws, "exportWithdraws");
    }
}
