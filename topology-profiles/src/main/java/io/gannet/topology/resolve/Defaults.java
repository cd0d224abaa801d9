package io.gannet.topology.resolve;

import io.gannet.topology.config.MaxPrefixAction;
import io.gannet.topology.model.BfdSettings;
import io.gannet.topology.model.BgpSettings;

/**
 * The one home of profile defaults. The timers follow FRR's "datacenter" defaults
 * (keepalive 3 s, hold 9 s, connect retry 10 s): a fabric wants failures found in seconds.
 */
public final class Defaults {
    private Defaults() {}

    public static final int PORT = 179;
    public static final int HOLD_TIME = 9;
    public static final int CONNECT_RETRY = 10;
    public static final int MAX_PATHS = 16;
    public static final int RESTART_TIME = 120;
    /** eBGP to a directly connected leaf. */
    public static final int EBGP_TTL = 1;
    /** iBGP to core switches that are usually several hops away (FRR and BIRD do the same). */
    public static final int IBGP_TTL = 255;

    public static final BgpSettings BGP = new BgpSettings(HOLD_TIME, null, CONNECT_RETRY, false, MAX_PATHS, true,
            RESTART_TIME, 0, null, 0L, MaxPrefixAction.RESTART, null, null, false, 0, null, null);
    public static final BfdSettings BFD = new BfdSettings(true, 300, 300, 3, false, null, null);

    /** RFC 4271 10 suggests a keepalive of a third of the hold time. */
    public static int keepaliveFor(int holdTime) {
        return holdTime / 3;
    }
}
