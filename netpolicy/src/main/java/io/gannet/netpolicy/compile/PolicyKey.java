package io.gannet.netpolicy.compile;

/**
 * The key of one policy entry, as the datapath's per-endpoint policy map holds it (Cilium's
 * layout with a port prefix, so a port range is a few longest-prefix entries, not one per port):
 * source identity (0 = any), IP protocol (0 = any), destination port and how many of its 16
 * bits are significant (16 = exactly this port, 0 = every port).
 */
public record PolicyKey(int identity, int protocol, int port, int portPrefixBits) {
    public PolicyKey {
        if (portPrefixBits < 0 || portPrefixBits > 16) {
            throw new IllegalArgumentException("port prefix " + portPrefixBits);
        }
        port &= portPrefixBits == 0 ? 0 : (0xffff << (16 - portPrefixBits)) & 0xffff;
    }

    public boolean matchesPort(int dport) {
        int mask = portPrefixBits == 0 ? 0 : (0xffff << (16 - portPrefixBits)) & 0xffff;
        return (dport & mask) == port;
    }

    /** The aligned prefixes that exactly cover {@code lo..hi} (inclusive), fewest first. */
    static void coverRange(int lo, int hi, java.util.function.IntBinaryOperator sink) {
        long start = lo;
        while (start <= hi) {
            int bits = 16;
            // Grow the block while it stays aligned and inside the range.
            while (bits > 0) {
                long size = 1L << (16 - bits + 1);
                if ((start & (size - 1)) != 0 || start + size - 1 > hi) {
                    break;
                }
                bits--;
            }
            sink.applyAsInt((int) start, bits);
            start += 1L << (16 - bits);
        }
    }
}
