package io.gannet.cluster.store;

/** Key rules shared by both backends: printable, slash-separated, at most 1,024 characters. */
public final class Keys {
    private Keys() {}

    public static String check(String key) {
        if (key == null || key.isEmpty()) {
            throw new StoreException(StoreException.Reason.BAD_REQUEST, "a store key is missing");
        }
        if (key.length() > 1024 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new StoreException(StoreException.Reason.BAD_REQUEST, "store key '" + key.chars().limit(64)
                    .collect(StringBuilder::new, (b, c) -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'), StringBuilder::append)
                    + "' must be 1-1024 printable ASCII characters without spaces");
        }
        return key;
    }
}
