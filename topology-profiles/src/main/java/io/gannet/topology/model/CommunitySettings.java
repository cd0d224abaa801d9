package io.gannet.topology.model;

import io.gannet.topology.net.Community;
import java.util.List;

/** Communities that tag PodCIDR and VIP announcements; a null list is unset (inherit). */
public record CommunitySettings(List<Community> podCidr, List<Community> vip) {

    public static final CommunitySettings EMPTY = new CommunitySettings(null, null);

    public CommunitySettings overlay(CommunitySettings over) {
        if (over == null) {
            return this;
        }
        return new CommunitySettings(BgpSettings.pick(over.podCidr, podCidr), BgpSettings.pick(over.vip, vip));
    }
}
