package io.gannet.topology;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.diff.ProfileDiff;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.FrrSwitchRenderer;
import io.gannet.topology.render.GannetSwitchRenderer;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.render.SwitchView;
import io.gannet.topology.resolve.EffectiveHost;
import io.gannet.topology.resolve.NodeConfigFactory;
import io.gannet.topology.resolve.ResolvedProfile;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded profile: its problems and, when it has no errors, per-host and per-switch
 * rendering. Immutable and safe to share between threads.
 */
public final class LoadedProfile {
    private final String file;
    private final TopologyProfile bound;
    private final ResolvedProfile resolved;
    private final List<Problem> problems;

    LoadedProfile(String file, TopologyProfile bound, ResolvedProfile resolved, List<Problem> problems) {
        this.file = file;
        this.bound = bound;
        this.resolved = resolved;
        this.problems = List.copyOf(problems);
    }

    public String file() {
        return file;
    }

    /** Errors and warnings in file order. */
    public List<Problem> problems() {
        return problems;
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    /** {@code spec.podCIDRPool}, if the profile has one (the IPv4 pool of a dual-stack profile). */
    public java.util.Optional<io.gannet.topology.model.PodCidrPool> podCidrPool() {
        return bound == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(bound.podPool());
    }

    /** The PodCIDR pool of one family, if the profile has one. */
    public java.util.Optional<io.gannet.topology.model.PodCidrPool> podCidrPool(boolean ipv4) {
        return bound == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(bound.podPool(ipv4));
    }

    /** {@code spec.maglev.tableSize}: entries of each Maglev table (65,537 unless the profile says otherwise). */
    public int maglevTableSize() {
        return bound == null ? io.gannet.topology.model.TopologyProfile.MAGLEV_DEFAULT : bound.maglevTableSize();
    }

    /** {@code spec.masquerade} ({@link io.gannet.topology.model.MasqueradeSettings#OFF} when absent). */
    public io.gannet.topology.model.MasqueradeSettings masquerade() {
        return bound == null ? io.gannet.topology.model.MasqueradeSettings.OFF : bound.masquerade();
    }

    /**
     * Destinations a masquerading node never translates IPv4 flows for: the IPv4 PodCIDR pool,
     * every host's IPv4 PodCIDR and address written in the profile (the node CIDRs), and the
     * IPv4 entries of {@code spec.masquerade.nonMasqueradeCIDRs}. In that order, without repeats.
     */
    public List<io.gannet.topology.net.Cidr> masqueradeExclusions() {
        return masqueradeExclusions(true);
    }

    /** {@link #masqueradeExclusions()} for IPv6 masquerade: the IPv6 pool, PodCIDRs, host addresses and CIDRs. */
    public List<io.gannet.topology.net.Cidr> masqueradeExclusions6() {
        return masqueradeExclusions(false);
    }

    private List<io.gannet.topology.net.Cidr> masqueradeExclusions(boolean ipv4) {
        java.util.LinkedHashSet<io.gannet.topology.net.Cidr> out = new java.util.LinkedHashSet<>();
        if (bound == null) {
            return List.of();
        }
        if (bound.podPool(ipv4) != null) {
            out.add(bound.podPool(ipv4).cidr());
        }
        for (io.gannet.topology.model.HostSpec h : bound.hosts()) {
            if (h.podCidr(ipv4) != null) {
                out.add(h.podCidr(ipv4).value());
            }
            for (io.gannet.topology.model.Located<java.net.InetAddress> a : h.addresses()) {
                if ((a.value() instanceof java.net.Inet4Address) == ipv4) {
                    out.add(new io.gannet.topology.net.Cidr(a.value(), ipv4 ? 32 : 128));
                }
            }
        }
        for (io.gannet.topology.model.Located<io.gannet.topology.net.Cidr> c : bound.masquerade().nonMasqueradeCidrs()) {
            if (c.value().isIpv4() == ipv4) {
                out.add(c.value());
            }
        }
        return List.copyOf(out);
    }

    /** {@code spec.fixedIPPools}, in profile order. */
    public List<io.gannet.topology.model.FixedIpPool> fixedIpPools() {
        return bound == null ? List.of() : bound.fixedIpPools();
    }

    /**
     * PodCIDRs of one family written in the profile ({@code hosts[].podCIDR}), by host: blocks the
     * store must never hand to another node.
     */
    public java.util.Map<String, io.gannet.topology.net.Cidr> explicitPodCidrs(boolean ipv4) {
        java.util.Map<String, io.gannet.topology.net.Cidr> out = new java.util.LinkedHashMap<>();
        if (bound != null) {
            for (io.gannet.topology.model.HostSpec h : bound.hosts()) {
                if (h.podCidr(ipv4) != null && h.name() != null) {
                    out.put(h.name(), h.podCidr(ipv4).value());
                }
            }
        }
        return out;
    }

    /** {@code metadata.name}. */
    public String name() {
        return bound == null ? null : bound.name();
    }

    public List<String> hostNames() {
        return resolved().hosts().keySet().stream().toList();
    }

    /** Every inventory host's address by name, in inventory order (no secret is read). */
    public java.util.Map<String, java.net.InetAddress> hostAddresses() {
        java.util.Map<String, java.net.InetAddress> out = new java.util.LinkedHashMap<>();
        resolved().hosts().forEach((name, h) -> {
            if (h.spec().address() != null) {
                out.put(name, h.spec().address());
            }
        });
        return out;
    }

    public List<String> switchNames() {
        return resolved().switches().keySet().stream().toList();
    }

    /** The host's effective configuration with MD5 references read from this process's environment and files. */
    public NodeConfig nodeConfig(String host) throws ProfileException {
        return nodeConfig(host, SecretResolver.system());
    }

    public NodeConfig nodeConfig(String host, SecretResolver secrets) throws ProfileException {
        EffectiveHost h = resolved().host(host).orElseThrow(() -> new ProfileException(
                "no host '" + host + "' in " + file + " (hosts: " + preview(hostNames()) + ")"));
        try {
            return NodeConfigFactory.build(resolved, h, secrets);
        } catch (SecretResolver.SecretUnavailableException e) {
            throw new ProfileException("host " + host + ": " + e.getMessage());
        }
    }

    /** Every host's configuration, in inventory order. */
    public List<NodeConfig> nodeConfigs(SecretResolver secrets) throws ProfileException {
        List<NodeConfig> out = new ArrayList<>();
        for (String h : hostNames()) {
            out.add(nodeConfig(h, secrets));
        }
        return out;
    }

    /** The switch end of the switch's host sessions (MD5 keys resolved with {@code secrets}). */
    public SwitchView switchView(String switchName, SecretResolver secrets) throws ProfileException {
        if (resolved().switchNamed(switchName).isEmpty()) {
            throw new ProfileException("no switch '" + switchName + "' in " + file + " (switches: " + preview(switchNames()) + ")");
        }
        try {
            return SwitchView.of(resolved, switchName, secrets);
        } catch (SecretResolver.SecretUnavailableException e) {
            throw new ProfileException("switch " + switchName + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ProfileException(e.getMessage()); // an unnumbered switch without a host's switch port
        }
    }

    public String renderSwitch(String switchName, SwitchFormat format, SecretResolver secrets) throws ProfileException {
        SwitchView v = switchView(switchName, secrets);
        return switch (format) {
            case FRR -> FrrSwitchRenderer.render(v);
            case BIRD -> BirdSwitchRenderer.render(v);
            case GANNET -> {
                if (v.sessions().stream().anyMatch(SwitchView.Session::unnumbered)) {
                    throw new ProfileException("switch " + switchName + " is unnumbered: a Gannet switch peers by address only;"
                            + " use --format frr or bird");
                }
                try {
                    yield GannetSwitchRenderer.render(v, name());
                } catch (IllegalArgumentException e) {
                    throw new ProfileException(e.getMessage());
                }
            }
        };
    }

    /** Per-host differences from {@code older} to this profile (MD5 compared by reference). */
    public ProfileDiff diffFrom(LoadedProfile older) throws ProfileException {
        return ProfileDiff.between(older.nodeConfigs(SecretResolver.referencesOnly()), nodeConfigs(SecretResolver.referencesOnly()));
    }

    private ResolvedProfile resolved() {
        if (resolved == null) {
            throw new IllegalStateException(file + " has errors; check problems() before rendering");
        }
        return resolved;
    }

    private static String preview(List<String> names) {
        return names.size() <= 10 ? String.join(", ", names) : String.join(", ", names.subList(0, 10)) + ", ... (" + names.size() + ")";
    }
}
