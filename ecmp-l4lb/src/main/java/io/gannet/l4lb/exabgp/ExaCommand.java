package io.gannet.l4lb.exabgp;

import java.util.List;

/**
 * One parsed line of ExaBGP's process API ({@code announce route ...} / {@code withdraw route ...}).
 *
 * @param announce    true for announce, false for withdraw
 * @param prefix      "192.0.2.10/32" (a bare address means /32 or /128, as in ExaBGP)
 * @param nextHop     null for {@code next-hop self}, else the address text
 * @param med         MED or null
 * @param localPref   LOCAL_PREF or null
 * @param origin      "igp", "egp", "incomplete" or null
 * @param communities standard communities ("65000:1", "no-export")
 * @param largeCommunities large communities ("65000:1:2")
 */
public record ExaCommand(boolean announce, String prefix, String nextHop, Long med, Long localPref, String origin,
        List<String> communities, List<String> largeCommunities) {
    public ExaCommand {
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
    }
}
