package io.gannet.netpolicy.external;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.netpolicy.enforce.PolicyDirectory;
import io.gannet.netpolicy.model.Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ExternalEndpoint objects in the policy directory: read with their origin, refused per file with file:line:column, fail closed. */
class ExternalEndpointFilesTest {
    @TempDir
    Path dir;

    @Test
    void readRefusedAndKept() throws Exception {
        Path f = dir.resolve("vms.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: billing}
                ---
                apiVersion: gannet.io/v1alpha1
                kind: ExternalEndpoint
                metadata: {name: billing-vm, namespace: billing, labels: {app: billing-vm, tier: db}}
                spec:
                  cidrs: [192.0.2.10, 198.51.100.0/24]
                """);
        PolicyDirectory d = new PolicyDirectory(dir);
        PolicyDirectory.Result r = d.reload();
        assertThat(r.problems()).isEmpty();
        ExternalEndpoint e = r.externalEndpoints().get(0);
        assertThat(e.key()).isEqualTo("billing/billing-vm");
        assertThat(e.cidrs()).containsExactly(Cidr.parse("192.0.2.10/32"), Cidr.parse("198.51.100.0/24"));
        assertThat(e.labelSet().toString()).isEqualTo("app=billing-vm,io.kubernetes.pod.namespace=billing,tier=db");
        assertThat(e.source()).isEqualTo("file " + f + ":5:1");

        // invalid fields: the whole file is refused, with file:line:column and the field; the last valid version stays
        Files.writeString(f, """
                apiVersion: gannet.io/v1alpha1
                kind: ExternalEndpoint
                metadata: {name: billing-vm, namespace: billing, labels: {app: billing-vm}}
                spec:
                  cidr: 192.0.2.11
                  cidrs: [192.0.2.300]
                """);
        r = d.reload();
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).errors()).containsExactly(
                f + ":1:1: ExternalEndpoint billing-vm: spec.cidr: unknown field (known: cidrs)",
                f + ":1:1: ExternalEndpoint billing-vm: spec.cidrs[0]: '192.0.2.300' is not an IP prefix");
        assertThat(r.problems().get(0).keptPrevious()).isTrue();
        assertThat(r.externalEndpoints()).extracting(ExternalEndpoint::key).containsExactly("billing/billing-vm");

        // not YAML: the parser's line and column
        Files.writeString(f, "kind: ExternalEndpoint\nspec: {cidrs: [192.0.2.10\n");
        r = d.reload();
        assertThat(r.problems().get(0).errors().get(0)).matches(java.util.regex.Pattern.quote(f.toString()) + ":\\d+:\\d+: .*");
        assertThat(r.externalEndpoints()).hasSize(1);

        Files.delete(f);
        assertThat(d.reload().externalEndpoints()).isEqualTo(List.of());
    }
}
