package io.gannet.bpf.maps;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java mirrors of the shared structs agree with what clang compiled (Cilium's
 * alignchecker): struct size, member names and member offsets, read from the objects'
 * BTF with {@code bpftool btf dump file X.o format raw}. Also: enum dp_reason in
 * lib/metrics.h matches {@link Reason}, enum dp_policy_reason in lib/policy.h matches
 * {@link io.gannet.bpf.policy.PolicyReason}.
 */
class BtfLayoutTest {
    record Member(String name, int offset) {}

    record Struct(int size, List<Member> members) {}

    static Map<String, Struct> structs(Path object) {
        String dump = NetworkNamespace.Shell.run("bpftool", "btf", "dump", "file", object.toString(), "format", "raw");
        Map<String, Struct> out = new HashMap<>();
        Pattern head = Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=(\\d+)$");
        Pattern member = Pattern.compile("^\\s+'([^']*)' type_id=\\d+ bits_offset=(\\d+)");
        String[] lines = dump.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher h = head.matcher(lines[i]);
            if (!h.find()) {
                continue;
            }
            int vlen = Integer.parseInt(h.group(3));
            List<Member> members = new ArrayList<>();
            for (int j = 1; j <= vlen; j++) {
                Matcher m = member.matcher(lines[i + j]);
                assertThat(m.find()).as("member line " + lines[i + j]).isTrue();
                members.add(new Member(m.group(1), Integer.parseInt(m.group(2)) / 8));
            }
            out.put(h.group(1), new Struct(Integer.parseInt(h.group(2)), members));
        }
        return out;
    }

    @Test
    void javaLayoutsMatchTheCompiledObjects() {
        Requirements.requireCommand("bpftool");
        Path objects = Path.of(System.getProperty("gannet.bpf.objects", "target/classes/bpf"));
        List<Layout<?>> layouts = List.of(SvcKey.LAYOUT, SvcValue.LAYOUT, BackendValue.LAYOUT, RevNatValue.LAYOUT,
                CtKey.LAYOUT, CtEntry.LAYOUT, EndpointValue.LAYOUT, ConfigValue.LAYOUT,
                AffinityKey.LAYOUT, AffinityValue.LAYOUT, NatValue.LAYOUT, SrcRangeKey.LAYOUT, IpcacheKey.LAYOUT, IpcacheValue.LAYOUT,
                PolicyMapKey.LAYOUT, PolicyMapValue.LAYOUT, DropEvent.LAYOUT, MasqValue.LAYOUT,
                SvcKey6.LAYOUT, BackendValue6.LAYOUT, RevNatValue6.LAYOUT, CtKey6.LAYOUT, NatValue6.LAYOUT, SrcRangeKey6.LAYOUT,
                AffinityKey6.LAYOUT, EndpointValue6.LAYOUT, MasqValue6.LAYOUT, NoMasqKey6.LAYOUT, IpcacheKey6.LAYOUT, DropEvent6.LAYOUT);
        for (String obj : List.of("bpf_lxc.o", "bpf_host.o", "bpf_xdp.o", "bpf_sock.o")) {
            Map<String, Struct> btf = structs(objects.resolve(obj));
            for (Layout<?> l : layouts) {
                String name = l.cName().substring("struct ".length());
                Struct s = btf.get(name);
                assertThat(s).as(obj + " has " + l.cName()).isNotNull();
                assertThat(s.size()).as(l.cName() + " size").isEqualTo(l.size());
                List<Member> expected = l.fields().stream().map(f -> new Member(f.name(), f.offset())).toList();
                assertThat(s.members()).as(l.cName() + " members and offsets").isEqualTo(expected);
                // the Java field sizes tile the struct with no hidden gap
                int end = 0;
                for (Layout.Field f : l.fields()) {
                    assertThat(f.offset()).as(l.cName() + "." + f.name() + " starts where the previous ends").isEqualTo(end);
                    end = f.offset() + f.size();
                }
                assertThat(end).as(l.cName() + " fields cover the struct").isEqualTo(l.size());
            }
        }
    }

    @Test
    void scalarLayoutsEncodeInHostOrder() {
        assertThat(Layout.U32.encode(0x01020304)).containsExactly(4, 3, 2, 1);
        assertThat(SvcKey.LAYOUT.encode(new SvcKey(0x0a60000a, 80, 1, 6)))
                .containsExactly(10, 96, 0, 10, 0, 80, 1, 0, 6, 0, 0, 0);
        SvcKey k = new SvcKey(0xc0a80001, 65535, 65535, 17);
        assertThat(SvcKey.LAYOUT.decode(SvcKey.LAYOUT.encode(k))).isEqualTo(k);
        CtEntry e = new CtEntry(7, 0xfffffff0L, 12, 65535, 0x0f);
        assertThat(CtEntry.LAYOUT.decode(CtEntry.LAYOUT.encode(e))).isEqualTo(e);
    }

    @Test
    void reasonEnumMatchesMetricsHeader() throws IOException {
        Path src = Path.of(System.getProperty("gannet.bpf.sources", "src/main/bpf"), "lib", "metrics.h");
        String text = Files.readString(src);
        String body = text.substring(text.indexOf("enum dp_reason {"), text.indexOf("DP_REASON_MAX"));
        Matcher m = Pattern.compile("\\bDP_([A-Z0-9_]+)").matcher(body);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).containsExactly(java.util.Arrays.stream(Reason.values()).map(Enum::name).toArray(String[]::new));
    }

    @Test
    void policyReasonEnumMatchesPolicyHeader() throws IOException {
        Path src = Path.of(System.getProperty("gannet.bpf.sources", "src/main/bpf"), "lib", "policy.h");
        String text = Files.readString(src);
        String body = text.substring(text.indexOf("enum dp_policy_reason {"), text.indexOf("DP_POLICY_REASON_MAX"));
        Matcher m = Pattern.compile("\\bDP_POLICY_([A-Z0-9_]+)").matcher(body);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).containsExactly(java.util.Arrays.stream(io.gannet.bpf.policy.PolicyReason.values())
                .map(Enum::name).toArray(String[]::new));
    }

    @Test
    void policyKeysCoverWhatTheirPrefixCovers() {
        PolicyMapKey range = PolicyMapKey.of(1, 300, 6, 6000, 7);
        assertThat(range.portLow()).isEqualTo(6000 & 0xfe00);
        assertThat(range.portHigh()).isEqualTo((6000 & 0xfe00) + 511);
        assertThat(PolicyMapKey.of(1, 300, 6, 0, 0).covers(range)).isTrue();
        assertThat(PolicyMapKey.of(1, 300, 0, 0, 0).covers(range)).isTrue();
        assertThat(range.covers(PolicyMapKey.of(1, 300, 6, 6100, 16))).isTrue();
        assertThat(range.covers(PolicyMapKey.of(1, 300, 17, 6100, 16))).isFalse();
        assertThat(range.covers(PolicyMapKey.of(1, 301, 6, 6100, 16))).as("another identity").isFalse();
        assertThat(PolicyMapKey.LAYOUT.encode(PolicyMapKey.of(7, 300, 6, 6379, 16)))
                .containsExactly(96, 0, 0, 0, 7, 0, 0, 0, 44, 1, 0, 0, 6, 0, 0x18, (byte) 0xeb);
        assertThat(IpcacheKey.LAYOUT.encode(new IpcacheKey(16, 0x0a320101)))
                .as("host bits cleared, address in network order").containsExactly(16, 0, 0, 0, 10, 50, 0, 0);
    }
}
