package io.gannet.bgp.policy;

/** Text forms of communities for configuration: {@code "65000:100"} and {@code "65000:1:2"}. */
public final class Communities {
    private Communities() {
    }

    /** An RFC 8092 large community: three unsigned 32-bit values. */
    public record Large(long global, long local1, long local2) {
        public Large {
            check(global);
            check(local1);
            check(local2);
        }

        private static void check(long v) {
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("large community part out of range: " + v);
            }
        }

        public static Large parse(String text) {
            String[] p = text.trim().split(":");
            if (p.length != 3) {
                throw new IllegalArgumentException("large community must be A:B:C, got " + text);
            }
            return new Large(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
        }

        @Override
        public String toString() {
            return global + ":" + local1 + ":" + local2;
        }
    }

    /** Parses {@code "ASN:VALUE"} or the names no-export, no-advertise, no-export-subconfed (RFC 1997). */
    public static int parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "no-export", "no_export":
                return 0xFFFFFF01;
            case "no-advertise", "no_advertise":
                return 0xFFFFFF02;
            case "no-export-subconfed", "no_export_subconfed":
                return 0xFFFFFF03;
            default:
                break;
        }
        String[] p = t.split(":");
        if (p.length != 2) {
            throw new IllegalArgumentException("community must be ASN:VALUE, got " + text);
        }
        int asn = Integer.parseInt(p[0]);
        int val = Integer.parseInt(p[1]);
        if (asn < 0 || asn > 0xFFFF || val < 0 || val > 0xFFFF) {
            throw new IllegalArgumentException("community parts must be 0..65535, got " + text);
        }
        return asn << 16 | val;
    }

    public static String format(int c) {
        return (c >>> 16) + ":" + (c & 0xFFFF);
    }
}
