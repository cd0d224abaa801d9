package io.gannet.bgp.rib;

import java.net.InetAddress;

/** Lets tests in other packages build literal addresses without DNS. */
public final class LocalRouteTestAccess {
    private LocalRouteTestAccess() {
    }

    public static InetAddress ip(String literal) {
        return RibHarness.ip(literal);
    }
}
