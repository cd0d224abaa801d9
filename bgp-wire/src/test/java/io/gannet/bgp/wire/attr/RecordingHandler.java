package io.gannet.bgp.wire.attr;

import java.util.ArrayList;
import java.util.List;

/** Collects decoder callbacks as readable lines, e.g. {@code "+10.0.0.0/24"} and {@code "-2001:db8::/32"}. */
public final class RecordingHandler implements UpdateHandler {
    public final List<String> events = new ArrayList<>();
    public PathAttributes attributes;

    @Override
    public void withdraw4(int address, int length) {
        events.add("-" + Prefix.ipv4(address, length));
    }

    @Override
    public void announce4(int address, int length, PathAttributes a) {
        attributes = a;
        events.add("+" + Prefix.ipv4(address, length));
    }

    @Override
    public void withdraw6(long hi, long lo, int length) {
        events.add("-" + Prefix.ipv6(hi, lo, length));
    }

    @Override
    public void announce6(long hi, long lo, int length, PathAttributes a) {
        attributes = a;
        events.add("+" + Prefix.ipv6(hi, lo, length));
    }

    @Override
    public void endOfRib(int afi, int safi) {
        events.add("EoR " + afi + "/" + safi);
    }
}
