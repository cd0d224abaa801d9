package io.gannet.topology.model;

import io.gannet.topology.yaml.YNode.YMap;

/** {@code spec.bfd} or a host override's {@code bfd}; null fields are unset. */
public record BfdSettings(Boolean enabled, Integer minTxMs, Integer minRxMs, Integer multiplier, Boolean strict, Boolean multihop,
        YMap source) {

    public static final BfdSettings EMPTY = new BfdSettings(null, null, null, null, null, null, null);

    public BfdSettings overlay(BfdSettings over) {
        if (over == null) {
            return this;
        }
        return new BfdSettings(BgpSettings.pick(over.enabled, enabled), BgpSettings.pick(over.minTxMs, minTxMs),
                BgpSettings.pick(over.minRxMs, minRxMs), BgpSettings.pick(over.multiplier, multiplier),
                BgpSettings.pick(over.strict, strict), BgpSettings.pick(over.multihop, multihop),
                BgpSettings.pick(over.source, source));
    }
}
