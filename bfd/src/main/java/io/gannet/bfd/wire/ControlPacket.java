package io.gannet.bfd.wire;

import java.util.Arrays;

/**
 * A BFD Control packet as a mutable flyweight: the receive and transmit paths each own one
 * instance and reuse it for every packet, so steady-state operation allocates nothing.
 *
 * <pre>
 * RFC 5880 4.1, the Mandatory Section:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       My Discriminator                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Your Discriminator                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Desired Min TX Interval                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Required Min RX Interval                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Required Min Echo RX Interval                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * An optional Authentication Section MAY be present (A bit set):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Auth Type   |   Auth Len    |    Auth Data...               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 5880 4.2, Simple Password (Auth Len = 3 + password length, 1..16 bytes):
 * |   Auth Type   |   Auth Len    |  Auth Key ID  |  Password...  |
 *
 * RFC 5880 4.3/4.4, Keyed MD5 / SHA1 (Auth Len 24 / 28):
 * |   Auth Type   |   Auth Len    |  Auth Key ID  |   Reserved    |
 * |                        Sequence Number                        |
 * |              Auth Key/Digest... (16 or 20 bytes)              |
 * </pre>
 *
 * <p>Intervals are in microseconds as on the wire; the unsigned 32-bit fields are held in
 * {@code long}s so values above 2^31 stay positive.
 */
public final class ControlPacket {
    /** RFC 5880 4.1: the only version this codec speaks. */
    public static final int VERSION = 1;
    /** Length of the mandatory section. */
    public static final int MANDATORY_LENGTH = 24;
    /** Longest packet this codec builds: mandatory + 28-byte SHA1 section. */
    public static final int MAX_LENGTH = MANDATORY_LENGTH + 28;
    /** Longest simple password, RFC 5880 4.2. */
    public static final int MAX_PASSWORD = 16;

    public int version = VERSION;
    public Diagnostic diagnostic = Diagnostic.NONE;
    public BfdState state = BfdState.DOWN;
    public boolean poll;
    public boolean fin;
    public boolean controlPlaneIndependent;
    public boolean authPresent;
    public boolean demand;
    public boolean multipoint;
    public int detectMult;
    public int length;
    public long myDiscriminator;
    public long yourDiscriminator;
    public long desiredMinTxMicros;
    public long requiredMinRxMicros;
    public long requiredMinEchoRxMicros;

    // Authentication section, meaningful only when authPresent.
    public int authTypeCode;
    public int authLength;
    public int authKeyId;
    public long authSequence;
    /** Password (simple) or digest (MD5/SHA1) bytes; {@link #authDataLength} of them are valid. */
    public final byte[] authData = new byte[20];
    public int authDataLength;

    /** Resets every field to the defaults of an empty Down packet, keeping the buffers. */
    public void clear() {
        version = VERSION;
        diagnostic = Diagnostic.NONE;
        state = BfdState.DOWN;
        poll = fin = controlPlaneIndependent = authPresent = demand = multipoint = false;
        detectMult = length = 0;
        myDiscriminator = yourDiscriminator = 0;
        desiredMinTxMicros = requiredMinRxMicros = requiredMinEchoRxMicros = 0;
        authTypeCode = authLength = authKeyId = authDataLength = 0;
        authSequence = 0;
        Arrays.fill(authData, (byte) 0);
    }

    /** The auth type, or null when absent or reserved. */
    public AuthType authType() {
        return authPresent ? AuthType.fromCode(authTypeCode) : null;
    }

    @Override
    public String toString() {
        return "BFD v" + version + " " + state.displayName() + " diag=" + diagnostic.code()
                + (poll ? " P" : "") + (fin ? " F" : "") + (authPresent ? " A" : "") + (demand ? " D" : "")
                + " mult=" + detectMult + " len=" + length + " my=" + myDiscriminator + " your=" + yourDiscriminator
                + " tx=" + desiredMinTxMicros + " rx=" + requiredMinRxMicros + " echo=" + requiredMinEchoRxMicros;
    }
}
