package io.gannet.agent;

import java.util.List;
import java.util.Map;

/**
 * The JVM flags and environment the {@code ./gannet} launcher gives every gannet process, for a
 * gannet started from a class path instead (the lab's fallback, the daemon tests), so it runs
 * as users' does. {@code LaunchFlagsTest} keeps them equal to the launcher's.
 */
public final class LauncherFlags {
    /** The serial collector with an 8 MiB young generation from a 16 MiB heap, C1 only, one netty arena each; native access for epoll and libbpf. */
    public static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xmn8m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-Xms16m", "-XX:TieredStopAtLevel=1",
            "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1", "--enable-native-access=ALL-UNNAMED");

    /** Two glibc malloc arenas instead of eight per core. */
    public static final Map<String, String> ENV = Map.of("MALLOC_ARENA_MAX", "2");

    private LauncherFlags() {}
}
