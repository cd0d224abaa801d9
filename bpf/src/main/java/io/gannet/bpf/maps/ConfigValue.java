package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_config (single entry of dp_config): conntrack timeouts in seconds; zero means
 * the program's default (lib/conntrack.h).
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                  tcp_syn_timeout (__u32)                      |  0
 *  |                  tcp_established_timeout (__u32)              |  4
 *  |                  tcp_closing_timeout (__u32)                  |  8
 *  |                  udp_timeout (__u32)                          | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
public record ConfigValue(int tcpSynTimeout, int tcpEstablishedTimeout, int tcpClosingTimeout, int udpTimeout) {
    public static final Layout<ConfigValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_config"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("tcp_syn_timeout", 0, 4), new Field("tcp_established_timeout", 4, 4),
                    new Field("tcp_closing_timeout", 8, 4), new Field("udp_timeout", 12, 4));
        }
        public void write(ConfigValue v, ByteBuffer b) {
            b.putInt(v.tcpSynTimeout);
            b.putInt(v.tcpEstablishedTimeout);
            b.putInt(v.tcpClosingTimeout);
            b.putInt(v.udpTimeout);
        }
        public ConfigValue read(ByteBuffer b) {
            return new ConfigValue(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    };
}
