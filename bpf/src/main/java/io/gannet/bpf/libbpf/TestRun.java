package io.gannet.bpf.libbpf;

import java.util.Arrays;
import jnr.ffi.Pointer;

/**
 * BPF_PROG_TEST_RUN through {@code bpf_prog_test_run_opts}: the kernel runs a program on a
 * packet it builds from bytes (an skb for TC, an xdp_buff for XDP) and returns the verdict,
 * the packet as the program left it, and the mean run time over {@code repeat} runs.
 */
public final class TestRun {
    private TestRun() {}

    /** Output of one test run; {@code packet} is what the program left in the buffer. */
    public record Result(int verdict, byte[] packet, long meanNanos) {}

    /** Room for packets the program grows (none of ours grow; the RST shrinks). */
    private static final int HEADROOM = 256;

    static Result run(BpfProgram prog, byte[] packet, int repeat) {
        Native n = Native.get();
        Pointer in = n.allocate(packet.length);
        in.put(0, packet, 0, packet.length);
        int outSize = packet.length + HEADROOM;
        Pointer out = n.allocate(outSize);
        Pointer opts = Opts.alloc(Opts.TestRun.SIZE);
        opts.putPointer(Opts.TestRun.DATA_IN, in);
        opts.putInt(Opts.TestRun.DATA_SIZE_IN, packet.length);
        opts.putPointer(Opts.TestRun.DATA_OUT, out);
        opts.putInt(Opts.TestRun.DATA_SIZE_OUT, outSize);
        opts.putInt(Opts.TestRun.REPEAT, Math.max(1, repeat));
        int ret = n.bpf().bpf_prog_test_run_opts(prog.fd(), opts);
        BpfException.check("bpf_prog_test_run_opts " + prog.name(), ret);
        int size = opts.getInt(Opts.TestRun.DATA_SIZE_OUT);
        byte[] result = new byte[Math.min(size, outSize)];
        out.get(0, result, 0, result.length);
        return new Result(opts.getInt(Opts.TestRun.RETVAL), Arrays.copyOf(result, result.length),
                Integer.toUnsignedLong(opts.getInt(Opts.TestRun.DURATION)));
    }
}
