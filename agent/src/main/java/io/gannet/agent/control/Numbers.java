package io.gannet.agent.control;

/** Strict decimal parsing for operator input: digits only, no sign, no overflow. */
final class Numbers {
    private Numbers() {}

    static long parseUnsigned(String s, long max, String what) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ControlException.badRequest(what + ": '" + s + "' is not a decimal number");
        }
        long v = Long.parseLong(s);
        if (v > max) {
            throw ControlException.badRequest(what + ": " + v + " is larger than " + max);
        }
        return v;
    }
}
