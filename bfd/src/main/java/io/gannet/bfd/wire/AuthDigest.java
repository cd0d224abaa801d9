package io.gannet.bfd.wire;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Keyed MD5 / SHA1 digests of RFC 5880 6.7.3 and 6.7.4: the digest is computed over the
 * whole packet with the key (zero-padded to 16 or 20 bytes) in the Auth Key/Digest field.
 *
 * <p>An instance holds its MessageDigest objects and a scratch buffer, so it is not
 * thread-safe; each session owns one and uses it under the session's lock. No allocation
 * per packet.
 */
public final class AuthDigest {
    /** Offset of the Auth Key/Digest field within a packet with a digest auth section. */
    public static final int DIGEST_OFFSET = ControlPacket.MANDATORY_LENGTH + 8;

    private final MessageDigest md5;
    private final MessageDigest sha1;
    private final byte[] scratch = new byte[ControlPacket.MAX_LENGTH];
    private final byte[] result = new byte[20];

    public AuthDigest() {
        try {
            md5 = MessageDigest.getInstance("MD5");
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without MD5/SHA-1", e);
        }
    }

    /**
     * Overwrites the digest field of the encoded packet {@code packet[0..length)} with its
     * digest. The field must hold the padded key already (as {@link ControlPacketCodec#encode}
     * writes it from the packet's auth data).
     */
    public void sign(AuthType type, byte[] packet, int length) {
        compute(type, packet, length, result);
        System.arraycopy(result, 0, packet, DIGEST_OFFSET, type.digestLength());
    }

    /**
     * True when the digest in the received {@code packet[0..length)} matches one computed
     * with {@code key}. Compares in constant time.
     */
    public boolean verify(AuthType type, byte[] packet, int length, byte[] key) {
        int n = type.digestLength();
        if (length < DIGEST_OFFSET + n) {
            return false;
        }
        System.arraycopy(packet, 0, scratch, 0, length);
        for (int i = 0; i < n; i++) {
            scratch[DIGEST_OFFSET + i] = i < key.length ? key[i] : 0;
        }
        compute(type, scratch, length, result);
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= result[i] ^ packet[DIGEST_OFFSET + i];
        }
        return diff == 0;
    }

    private void compute(AuthType type, byte[] packet, int length, byte[] out) {
        MessageDigest md = type.digestLength() == 16 ? md5 : sha1;
        md.reset();
        md.update(packet, 0, length);
        try {
            md.digest(out, 0, type.digestLength());
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
