package io.gannet.netpolicy.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Labels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External endpoints in the store: checks, ownership, overlap refusals that change nothing, the watch. */
class ExternalEndpointStoreTest {
    @TempDir
    Path dir;

    private static ExternalEndpoint ep(String name, String cidr, String app, String source) {
        ExternalEndpoint.Checked c = ExternalEndpoint.check("default", name, List.of(cidr), Map.of("app", app), source);
        assertThat(c.errors()).isEmpty();
        return c.endpoint();
    }

    @Test
    void registeredChangedRefusedAndRemovedAsTheWatchSeesIt() throws Exception {
        try (ClusterStore store = FileStore.open(dir.resolve("store"))) {
            ExternalEndpointStore s = new ExternalEndpointStore(store, List.of(
                    new ExternalEndpointStore.Reserved(Cidr.parse("10.244.0.0/16"), "the pod pool 10.244.0.0/16"),
                    new ExternalEndpointStore.Reserved(Cidr.parse("fd00:10:244::/56"), "the pod pool fd00:10:244::/56")));
            List<ExternalEndpointStore.Snapshot> seen = new CopyOnWriteArrayList<>();
            try (AutoCloseable w = s.watch(seen::add)) {
                assertThat(s.put(ep("vm1", "192.0.2.10/32", "employee", "api")).outcome()).isEqualTo("created");
                assertThat(s.put(ep("vm1", "192.0.2.10/32", "employee", "api")).outcome()).isEqualTo("unchanged");
                assertThat(s.put(ep("vm1", "192.0.2.10/32", "visitor", "api")).outcome()).isEqualTo("updated");

                assertThatThrownBy(() -> s.put(ep("vm2", "10.244.3.0/28", "x", "api")))
                        .hasMessageContaining("10.244.3.0/28 overlaps the pod pool 10.244.0.0/16").hasMessageContaining("nothing was changed");
                assertThatThrownBy(() -> s.put(ep("vm2", "10.0.0.0/8", "x", "api"))).hasMessageContaining("overlaps the pod pool");
                assertThatThrownBy(() -> s.put(ep("vm2", "fd00:10:244:1::/64", "x", "api")))
                        .hasMessageContaining("fd00:10:244:1::/64 overlaps the pod pool fd00:10:244::/56");
                assertThatThrownBy(() -> s.put(ep("vm3", "192.0.2.0/24", "x", "api")))
                        .hasMessageContaining("overlaps 192.0.2.10/32 of external endpoint default/vm1");
                assertThat(s.list().endpoints()).extracting(ExternalEndpoint::key).containsExactly("default/vm1");

                // a directory's entries: owned by that node's files, refused to the API
                assertThat(s.sync(src -> src.startsWith("file /etc/p/"), List.of(ep("vm4", "198.51.100.0/24", "db-admin", "file /etc/p/a.yaml:1:1 on node1"))))
                        .isEmpty();
                assertThatThrownBy(() -> s.remove("default", "vm4", "api")).hasMessageContaining("registered by file /etc/p/a.yaml:1:1 on node1");
                assertThat(s.sync(src -> src.startsWith("file /etc/p/"), List.of(ep("vm1", "203.0.113.1/32", "y", "file /etc/p/a.yaml:1:1 on node1"))))
                        .containsKey("default/vm1");
                assertThat(s.list().endpoints()).extracting(ExternalEndpoint::key).containsExactly("default/vm1");

                assertThat(s.remove("default", "vm1", "api").outcome()).isEqualTo("removed");
                assertThatThrownBy(() -> s.remove("default", "vm1", "api")).hasMessageContaining("no external endpoint default/vm1");
                long deadline = System.currentTimeMillis() + 5000;
                while (System.currentTimeMillis() < deadline && (seen.isEmpty() || !seen.get(seen.size() - 1).endpoints().isEmpty())) {
                    Thread.sleep(20);
                }
                ExternalEndpointStore.Snapshot last = seen.get(seen.size() - 1);
                assertThat(last.endpoints()).isEmpty();
                assertThat(seen).anySatisfy(snap -> assertThat(snap.endpoints()).anySatisfy(e ->
                        assertThat(e.labelSet()).isEqualTo(Labels.of(Map.of("app", "visitor", Labels.NAMESPACE, "default")))));
            }
        }
    }

    @Test
    void badInputIsRefusedWithTheFieldInQuestion() {
        assertThat(ExternalEndpoint.check("default", "VM_1", List.of("192.0.2.1/24", "2001:db8::1/64", "0.0.0.0/0", "nope", "::/0"),
                Map.of("app", "x y"), "api").errors()).containsExactly(
                "name: 'VM_1' must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
                "cidrs[0]: '192.0.2.1/24' has host bits set; did you mean 192.0.2.0/24?",
                "cidrs[1]: '2001:db8::1/64' has host bits set; did you mean 2001:db8::/64?",
                "cidrs[2]: '0.0.0.0/0' is the whole address space; name it in policy with fromEntities: [world]",
                "cidrs[3]: 'nope' is not an IP prefix",
                "cidrs[4]: '::/0' is the whole address space; name it in policy with fromEntities: [world]",
                "labels.app: 'x y' is not a valid label value (63 characters: letters, digits, '-', '_', '.')");
        assertThat(ExternalEndpoint.check("default", "vm1", List.of("2001:DB8:0::5", "2001:db8:1::/48", "192.0.2.7"),
                Map.of("app", "db"), "api").errors()).as("IPv6 addresses and prefixes (IPv6 policy, dp_ipcache6)").isEmpty();
    }
}
