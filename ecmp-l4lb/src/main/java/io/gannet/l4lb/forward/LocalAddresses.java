package io.gannet.l4lb.forward;

import io.gannet.bpf.lb.Ipv6;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.function.IntPredicate;

/**
 * Whether an IPv4 ({@link #test}) or IPv6 ({@link #test6}) address is one of this host's own
 * (a backend there would loop). Read on each call.
 */
public final class LocalAddresses implements IntPredicate {
    @Override
    public boolean test(int addr) {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address v4) {
                        byte[] b = v4.getAddress();
                        int x = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                        if (x == addr) {
                            return true;
                        }
                    }
                }
            }
        } catch (SocketException e) {
            return false;
        }
        return (addr >>> 24) == 127;
    }

    /** True for ::1 and any IPv6 address on one of this host's interfaces. */
    public boolean test6(Ipv6 addr) {
        if (addr.hi() == 0 && addr.lo() == 1) {
            return true;
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet6Address v6 && Ipv6.of(v6.getAddress()).equals(addr)) {
                        return true;
                    }
                }
            }
        } catch (SocketException e) {
            return false;
        }
        return false;
    }
}
