package io.gannet.bpf.lb;

/** IPv4 addresses as ints whose big-endian bytes are the address (10.0.0.1 = 0x0a000001). */
public final class Ipv4 {
    private Ipv4() {}

    public static int parse(String dotted) {
        String[] p = dotted.trim().split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }
        int v = 0;
        for (String part : p) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            int b = Integer.parseInt(part);
            if (b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    public static String format(int addr) {
        return ((addr >>> 24) & 0xff) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff);
    }
}
