package io.gannet.pod.wiring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The host-side veth name of an attachment: {@code gn} + the first 13 hex digits of
 * SHA-256(containerId + "/" + ifName), 15 characters (IFNAMSIZ - 1). The same attachment
 * always gets the same name, so DEL and CHECK find it without state, and {@code ip link}
 * shows which interfaces are Gannet's.
 */
public final class HostVethName {
    public static final String PREFIX = "gn";

    private HostVethName() {}

    public static String of(String containerId, String ifName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((containerId + "/" + ifName).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(h).substring(0, 13);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True for names this class produces. */
    public static boolean isOurs(String name) {
        return name.length() == 15 && name.startsWith(PREFIX) && name.substring(2).matches("[0-9a-f]{13}");
    }
}
