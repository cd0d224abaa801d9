package io.gannet.topology.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * An IP prefix {@code address/length} whose host bits are zero. Immutable value.
 */
public record Cidr(InetAddress network, int length) implements Comparable<Cidr> {

    public Cidr {
        int bits = IpAddresses.bits(network);
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + network);
        }
        if (!IpAddresses.toBigInteger(network).equals(mask(IpAddresses.toBigInteger(network), length, bits))) {
            throw new IllegalArgumentException("host bits set in " + network.getHostAddress() + "/" + length);
        }
    }

    /** Result of parsing text that may be a valid but non-canonical prefix (host bits set). */
    public record Parsed(Cidr cidr, boolean hostBitsWereSet) {}

    /**
     * Parses {@code a.b.c.d/len} (or a bare address as a host route when {@code bareIsHost}).
     * Empty on anything malformed; a prefix with host bits set parses with the flag raised so
     * the validator can say exactly that.
     */
    public static Optional<Parsed> parse(String text, boolean bareIsHost) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        Optional<InetAddress> a = IpAddresses.parse(addr);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        int bits = IpAddresses.bits(a.get());
        int len;
        if (slash < 0) {
            if (!bareIsHost) {
                return Optional.empty();
            }
            len = bits;
        } else {
            String l = text.substring(slash + 1);
            if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit) || (l.length() > 1 && l.charAt(0) == '0')) {
                return Optional.empty();
            }
            len = Integer.parseInt(l);
            if (len > bits) {
                return Optional.empty();
            }
        }
        BigInteger v = IpAddresses.toBigInteger(a.get());
        BigInteger m = mask(v, len, bits);
        return Optional.of(new Parsed(new Cidr(IpAddresses.fromBigInteger(m, bits), len), !m.equals(v)));
    }

    /** Parses a canonical prefix or throws; for code paths whose input is already validated. */
    public static Cidr of(String text) {
        Parsed p = parse(text, false).orElseThrow(() -> new IllegalArgumentException("not a prefix: " + text));
        if (p.hostBitsWereSet()) {
            throw new IllegalArgumentException("host bits set: " + text);
        }
        return p.cidr();
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    public int bits() {
        return IpAddresses.bits(network);
    }

    public BigInteger first() {
        return IpAddresses.toBigInteger(network);
    }

    public BigInteger last() {
        return first().add(BigInteger.ONE.shiftLeft(bits() - length)).subtract(BigInteger.ONE);
    }

    public boolean contains(InetAddress a) {
        if (IpAddresses.bits(a) != bits()) {
            return false;
        }
        BigInteger v = IpAddresses.toBigInteger(a);
        return v.compareTo(first()) >= 0 && v.compareTo(last()) <= 0;
    }

    /** True when {@code other} lies entirely inside this prefix. */
    public boolean contains(Cidr other) {
        return other.bits() == bits() && other.length >= length && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The {@code index}-th subnet of length {@code subLength} inside this prefix. */
    public Cidr subnet(long index, int subLength) {
        BigInteger size = BigInteger.ONE.shiftLeft(bits() - subLength);
        return new Cidr(IpAddresses.fromBigInteger(first().add(size.multiply(BigInteger.valueOf(index))), bits()), subLength);
    }

    /** Number of subnets of {@code subLength} in this prefix, saturated at Long.MAX_VALUE. */
    public long subnetCount(int subLength) {
        int shift = subLength - length;
        return shift >= 63 ? Long.MAX_VALUE : 1L << shift;
    }

    /** Index of {@code sub} among this prefix's subnets of its length. */
    public long indexOf(Cidr sub) {
        return sub.first().subtract(first()).shiftRight(bits() - sub.length).longValueExact();
    }

    private static BigInteger mask(BigInteger v, int len, int bits) {
        return v.shiftRight(bits - len).shiftLeft(bits - len);
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Integer.compare(bits(), o.bits());
        if (c == 0) c = first().compareTo(o.first());
        if (c == 0) c = Integer.compare(length, o.length);
        return c;
    }

    @Override
    public String toString() {
        return IpAddresses.format(network) + "/" + length;
    }
}
