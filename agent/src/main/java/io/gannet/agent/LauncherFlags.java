package io.gannet.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags and environment the {@code ./gannet} launcher gives every gannet process, for a
 * gannet started from a class path instead (the lab's fallback, the daemon tests), so it runs
 * as users' does. {@code LaunchFlagsTest} keeps them equal to the launcher's.
 */
public final class LauncherFlags {
    /** Every JDK: the serial collector with a 6 MiB young generation from a 16 MiB heap, C1 only, one netty arena each of 1 MiB chunks; native access for epoll and libbpf. */
    public static final List<String> COMMON = List.of("-XX:+UseSerialGC", "-Xmn6m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-Xms16m", "-XX:TieredStopAtLevel=1",
            "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1", "-Dio.netty.allocator.maxOrder=7",
            "--enable-native-access=ALL-UNNAMED");

    /** Flags from the JDK feature release that has them: glibc trimmed every second (22), 8-byte object headers (25). */
    public static final Map<String, Integer> SINCE = Map.of("-XX:TrimNativeHeapInterval=1000", 22, "-XX:+UseCompactObjectHeaders", 25);

    /** What the launcher gives the JDK running this code. */
    public static final List<String> JVM = forJdk(Runtime.version().feature());

    /** Two glibc malloc arenas instead of eight per core. */
    public static final Map<String, String> ENV = Map.of("MALLOC_ARENA_MAX", "2");

    private LauncherFlags() {}

    /** What the launcher gives a JDK of feature release {@code feature}. */
    public static List<String> forJdk(int feature) {
        List<String> flags = new ArrayList<>(COMMON);
        SINCE.entrySet().stream().filter(e -> feature >= e.getValue()).map(Map.Entry::getKey).sorted().forEach(flags::add);
        return List.copyOf(flags);
    }
}
