package io.gannet.l4lb.bench;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.List;
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
 * A VIP's Maglev table (65,537 entries, weights 1) with its fingerprint, from scratch, as the
 * L4LB builds it on every backend change. Run by bench/l4lb/run on one core.
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

    @Param({"65537"})
    int tableSize;

    List<WeightedBackend> set;

    @Setup
    public void setup() {
        set = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            set.add(new WeightedBackend(Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080), 1));
        }
    }

    @Benchmark
    public VipTable build() {
        return VipTable.build(set, tableSize);
    }
}
