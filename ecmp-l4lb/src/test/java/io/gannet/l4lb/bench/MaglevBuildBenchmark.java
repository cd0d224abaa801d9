package io.gannet.l4lb.bench;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A VIP's table (65,537 entries, weights 1) with its fingerprint, from scratch, as the L4LB
 * builds it when a backend or its health changes: Maglev over the configured backends, then the
 * entries of the {@code failedPercent} unhealthy ones (spread over the set) failed over by
 * rendezvous hashing (entries to fail over x healthy backends hashes). Run by bench/l4lb/run on
 * one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MaglevBuildBenchmark {
    @Param({"100", "1000"})
    int backends;

    @Param({"0", "1", "10"})
    int failedPercent;

    @Param({"65537"})
    int tableSize;

    List<WeightedBackend> set;
    Set<Backend> healthy;

    @Setup
    public void setup() {
        set = new ArrayList<>();
        healthy = new HashSet<>();
        int failed = backends * failedPercent / 100;
        for (int i = 0; i < backends; i++) {
            Backend b = Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080);
            set.add(new WeightedBackend(b, 1));
            healthy.add(b);
        }
        for (int i = 0; i < failed; i++) {
            healthy.remove(set.get((int) ((long) i * backends / failed)).backend());
        }
    }

    @Benchmark
    public VipTable build() {
        return VipTable.build(set, healthy, tableSize);
    }
}
