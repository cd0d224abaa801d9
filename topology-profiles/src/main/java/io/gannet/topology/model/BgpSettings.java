package io.gannet.topology.model;

import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.MaxPrefixAction;
import io.gannet.topology.yaml.YNode.YMap;
import java.util.List;

/**
 * {@code spec.bgp} or a host override's {@code bgp}: every field is optional so an override
 * states only what differs; {@link #overlay} merges, {@link io.gannet.topology.resolve.Defaults}
 * fills the rest. {@code source} locates problems.
 *
 * <p>{@code families}: the address families every session negotiates (null: the session's own
 * family plus those of the host's own prefixes); {@code extendedMessage}: advertise RFC 8654;
 * {@code delayOpen}: RFC 4271 8.1.1 DelayOpenTime in seconds (0: off); {@code keepReceived}: keep
 * what each switch sends before import policy (null: on for hosts, off for {@code role: router}).
 */
public record BgpSettings(Integer holdTime, Integer keepalive, Integer connectRetry, Boolean passive,
        Integer maxPaths, Boolean gracefulRestart, Integer restartTime, Integer ttlSecurity, Integer multihop,
        Long maxPrefixes, MaxPrefixAction maxPrefixAction, Md5Ref md5, List<BgpFamily> families, Boolean extendedMessage,
        Integer delayOpen, Boolean keepReceived, YMap source) {

    public static final BgpSettings EMPTY = new BgpSettings(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null);

    /** {@code over}'s fields where set, else ours. The result keeps {@code over}'s source when it has one. */
    public BgpSettings overlay(BgpSettings over) {
        if (over == null) {
            return this;
        }
        return new BgpSettings(
                pick(over.holdTime, holdTime), pick(over.keepalive, keepalive), pick(over.connectRetry, connectRetry),
                pick(over.passive, passive), pick(over.maxPaths, maxPaths), pick(over.gracefulRestart, gracefulRestart),
                pick(over.restartTime, restartTime), pick(over.ttlSecurity, ttlSecurity), pick(over.multihop, multihop),
                pick(over.maxPrefixes, maxPrefixes), pick(over.maxPrefixAction, maxPrefixAction), pick(over.md5, md5),
                pick(over.families, families), pick(over.extendedMessage, extendedMessage), pick(over.delayOpen, delayOpen),
                pick(over.keepReceived, keepReceived), pick(over.source, source));
    }

    static <T> T pick(T a, T b) {
        return a != null ? a : b;
    }
}
