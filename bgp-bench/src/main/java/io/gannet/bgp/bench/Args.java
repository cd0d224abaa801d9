package io.gannet.bgp.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} command-line options; a key may repeat. Unknown keys are an error at {@link #done}. */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();

    Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --key value, got " + a);
            }
            values.computeIfAbsent(a.substring(2), k -> new ArrayList<>()).add(argv[++i]);
        }
    }

    String string(String key, String fallback) {
        List<String> v = values.remove(key);
        if (v == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("--" + key + " is required");
            }
            return fallback;
        }
        return v.get(v.size() - 1);
    }

    List<String> all(String key) {
        List<String> v = values.remove(key);
        return v == null ? List.of() : v;
    }

    long number(String key, long fallback) {
        return Long.parseLong(string(key, Long.toString(fallback)));
    }

    InetAddress address(String key) {
        return parseAddress(string(key, null));
    }

    static InetAddress parseAddress(String literal) {
        try {
            // Literals only: getByName does no lookup for an address literal.
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + literal, e);
        }
    }

    void done() {
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + values.keySet());
        }
    }
}
