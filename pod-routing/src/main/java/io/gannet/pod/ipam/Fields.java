package io.gannet.pod.ipam;

/** Checks of the text fields that go into the IPAM journal (one record per line, tab separated). */
final class Fields {
    private Fields() {}

    /** A non-empty identifier without whitespace or control characters, at most 256 characters. */
    static String token(String what, String v) {
        if (v == null || v.isEmpty()) {
            throw new IpamException(IpamException.Reason.BAD_REQUEST, what + " is missing");
        }
        if (v.length() > 256 || !v.chars().allMatch(c -> c > 0x20 && c != 0x7f)) {
            throw new IpamException(IpamException.Reason.BAD_REQUEST, what + " '" + printable(v) + "' must be 1-256 characters without spaces or control characters");
        }
        return v;
    }

    /** Free text without tabs, newlines or control characters, at most 256 characters. */
    static String text(String what, String v) {
        if (v.length() > 256 || !v.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw new IpamException(IpamException.Reason.BAD_REQUEST, what + " '" + printable(v) + "' must be at most 256 characters without control characters");
        }
        return v;
    }

    static String printable(String v) {
        StringBuilder b = new StringBuilder();
        v.codePoints().limit(64).forEach(c -> b.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
        return b.toString();
    }
}
