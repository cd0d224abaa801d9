package io.gannet.bfd.session;

import io.gannet.bfd.wire.AuthType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A session's authentication configuration (RFC 5880 6.7): type, Key ID and secret.
 * The secret is the password (1-16 bytes) for simple password, or the key (up to 16 bytes
 * for MD5, 20 for SHA1, zero-padded as the RFC prescribes).
 */
public record BfdAuthentication(AuthType type, int keyId, byte[] key) {
    public BfdAuthentication {
        if (type == null || type == AuthType.NONE) {
            throw new IllegalArgumentException("auth type must be one of password, md5, sha1 (or meticulous)");
        }
        if (keyId < 0 || keyId > 255) {
            throw new IllegalArgumentException("key id must be 0..255: " + keyId);
        }
        int max = type == AuthType.SIMPLE_PASSWORD ? 16 : type.digestLength();
        if (key == null || key.length < 1 || key.length > max) {
            throw new IllegalArgumentException(type + " key must be 1.." + max + " bytes");
        }
        key = key.clone();
    }

    public static BfdAuthentication of(AuthType type, int keyId, String secret) {
        return new BfdAuthentication(type, keyId, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    byte[] keyUnsafe() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BfdAuthentication a && a.type == type && a.keyId == keyId && Arrays.equals(a.key, key);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + keyId * 17 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return type + "/key-id " + keyId; // never the secret
    }
}
