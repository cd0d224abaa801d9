package io.gannet.lab;

import io.gannet.linux.NetworkNamespace;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab's ECMP L4LB: the profile's first two L4LB hosts that share an IPv4 VIP each run
 * {@code gannet run} with a LoadBalancer Service for that VIP whose backends are the echo pods,
 * and announce the VIP to their switches; a client outside the cluster (its own namespace on
 * the segment, default route via those switches) asks the VIP. The lab has no spine, so an L4LB
 * host's default route goes to the nodes' switches, where the PodCIDRs are. {@link #check}
 * shows the VIP with both hosts as ECMP next hops on each of their switches, and answers.
 */
final class LabL4lb {
    static final int REQUESTS = 8;

    /** The two hosts and the VIP they share; null when the profile has no such pair. */
    record Part(List<NodeConfig> hosts, String vip) {}

    private LabL4lb() {}

    /** The first two IPv4 L4LB hosts (of {@code candidates}, in profile order) sharing an IPv4 /32 VIP. */
    static Part choose(List<NodeConfig> candidates) {
        List<NodeConfig> v4 = candidates.stream().filter(c -> c.listenAddress() instanceof Inet4Address).toList();
        for (int i = 0; i < v4.size(); i++) {
            for (int j = i + 1; j < v4.size(); j++) {
                for (Cidr v : v4.get(i).vips()) {
                    if (v.isIpv4() && v.length() == 32 && v4.get(j).vips().contains(v)) {
                        return new Part(List.of(v4.get(i), v4.get(j)), v.network().getHostAddress());
                    }
                }
            }
        }
        return null;
    }

    static Path servicesDir(Path labDir) {
        return labDir.resolve("l4lb-services");
    }

    /** The LoadBalancer Service for the VIP, its backends the echo pods (TCP health checks). */
    static void writeService(Path labDir, String vip, List<LabState.Pod> backends) throws IOException {
        StringBuilder endpoints = new StringBuilder();
        for (LabState.Pod p : backends) {
            endpoints.append("- addresses: [\"").append(p.address()).append("\"]\n  conditions: {ready: true}\n");
        }
        Files.createDirectories(servicesDir(labDir));
        Files.writeString(servicesDir(labDir).resolve("vip.yaml"), """
                apiVersion: v1
                kind: Service
                metadata:
                  name: echo-vip
                  namespace: %s
                  annotations:
                    gannet.io/health-check: tcp
                    gannet.io/health-check-interval: 1s
                    gannet.io/health-check-rise: "1"
                spec:
                  type: LoadBalancer
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: %d}
                status:
                  loadBalancer: {ingress: [{ip: %s}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: echo-vip-1
                  namespace: %s
                  labels: {kubernetes.io/service-name: echo-vip}
                addressType: IPv4
                ports:
                - {name: http, protocol: TCP, port: %d}
                endpoints:
                %s""".formatted(LabWorkloads.NAMESPACE, LabWorkloads.PORT, vip, LabWorkloads.NAMESPACE, LabWorkloads.PORT,
                endpoints.toString().indent(0)));
    }

    /** The checks: the VIP's next hops on each switch of the L4LB hosts, and answers to the outside client. */
    static List<LabWorkloads.Check> check(LabState.Data d) {
        List<LabWorkloads.Check> out = new ArrayList<>();
        if (d.vip == null || d.l4lbs.size() < 2 || d.vipClient == null) {
            return out;
        }
        Set<String> lbAddresses = new java.util.TreeSet<>();
        d.l4lbs.forEach(l -> lbAddresses.add(l.address()));
        for (LabState.Switch sw : d.switches) {
            if (!d.vipSwitches.contains(sw.name())) {
                continue;
            }
            String route = NetworkNamespace.Shell.runQuietly("ip", "-n", sw.namespace(), "route", "show", d.vip + "/32");
            Set<String> hops = new java.util.TreeSet<>();
            Matcher m = Pattern.compile("via (\\S+)").matcher(route);
            while (m.find()) {
                hops.add(m.group(1));
            }
            out.add(new LabWorkloads.Check("VIP " + d.vip + " on " + sw.name(), hops.equals(lbAddresses),
                    hops.isEmpty() ? "not in its kernel table" : "ECMP next hops " + String.join(", ", hops)));
        }
        TreeMap<String, Integer> answeredBy = new TreeMap<>();
        int answered = 0;
        Path ask = Path.of(d.dir).resolve("ask.py");
        for (int i = 0; i < REQUESTS; i++) {
            String body = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", d.vipClient, "python3", ask.toString(), d.vip, "80").trim();
            if (!body.isEmpty()) {
                answered++;
                // "POD PEER": the backend sees the L4LB host that forwarded the request (its SNAT)
                String[] f = body.split(" ");
                String via = f.length > 1 ? d.l4lbs.stream().filter(l -> l.address().equals(f[1])).map(LabState.Node::name)
                        .findFirst().orElse(f[1]) : "?";
                answeredBy.merge(f[0] + " via " + via, 1, Integer::sum);
            }
        }
        out.add(new LabWorkloads.Check("VIP " + d.vip + ":80 from a client outside the cluster (" + d.vipClientAddress + ")",
                answered == REQUESTS, answered + " of " + REQUESTS + " answered" + (answeredBy.isEmpty() ? "" : ", by " + answeredBy)));
        return out;
    }
}
