package io.gannet.bpf.libbpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The option-struct offsets in {@link Opts} match the installed libbpf headers: a C file
 * prints sizeof/offsetof for every field Gannet writes, compiled with the system compiler.
 */
class OptsLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void offsetsMatchInstalledHeaders() throws IOException {
        Requirements.requireCommand("gcc");
        Requirements.require(Files.exists(Path.of("/usr/include/bpf/libbpf.h")), "needs libbpf-dev headers");
        String c = """
                #include <stdio.h>
                #include <stddef.h>
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #define S(t) printf(#t " %zu\\n", sizeof(struct t))
                #define O(t,f) printf(#t "." #f " %zu\\n", offsetof(struct t, f))
                int main(void) {
                  S(bpf_object_open_opts); O(bpf_object_open_opts,object_name); O(bpf_object_open_opts,pin_root_path);
                  O(bpf_object_open_opts,kernel_log_buf); O(bpf_object_open_opts,kernel_log_size); O(bpf_object_open_opts,kernel_log_level);
                  S(bpf_tc_hook); O(bpf_tc_hook,ifindex); O(bpf_tc_hook,attach_point); O(bpf_tc_hook,parent);
                  S(bpf_tc_opts); O(bpf_tc_opts,prog_fd); O(bpf_tc_opts,flags); O(bpf_tc_opts,prog_id); O(bpf_tc_opts,handle); O(bpf_tc_opts,priority);
                  S(bpf_test_run_opts); O(bpf_test_run_opts,data_in); O(bpf_test_run_opts,data_out); O(bpf_test_run_opts,data_size_in);
                  O(bpf_test_run_opts,data_size_out); O(bpf_test_run_opts,ctx_in); O(bpf_test_run_opts,ctx_out); O(bpf_test_run_opts,ctx_size_in);
                  O(bpf_test_run_opts,ctx_size_out); O(bpf_test_run_opts,retval); O(bpf_test_run_opts,repeat); O(bpf_test_run_opts,duration);
                  S(bpf_map_batch_opts); O(bpf_map_batch_opts,elem_flags); O(bpf_map_batch_opts,flags);
                  S(bpf_xdp_attach_opts); O(bpf_xdp_attach_opts,old_prog_fd); O(bpf_link_create_opts,flags);
                  return 0;
                }
                """;
        Path src = tmp.resolve("off.c");
        Files.writeString(src, c);
        Path bin = tmp.resolve("off");
        NetworkNamespace.Shell.run("gcc", "-o", bin.toString(), src.toString());
        Map<String, Integer> v = new HashMap<>();
        for (String line : NetworkNamespace.Shell.run(bin.toString()).split("\n")) {
            String[] p = line.trim().split(" ");
            v.put(p[0], Integer.parseInt(p[1]));
        }
        assertThat(v.get("bpf_object_open_opts")).isEqualTo(Opts.ObjectOpen.SIZE);
        assertThat(v.get("bpf_object_open_opts.object_name")).isEqualTo(Opts.ObjectOpen.OBJECT_NAME);
        assertThat(v.get("bpf_object_open_opts.pin_root_path")).isEqualTo(Opts.ObjectOpen.PIN_ROOT_PATH);
        assertThat(v.get("bpf_object_open_opts.kernel_log_buf")).isEqualTo(Opts.ObjectOpen.KERNEL_LOG_BUF);
        assertThat(v.get("bpf_object_open_opts.kernel_log_size")).isEqualTo(Opts.ObjectOpen.KERNEL_LOG_SIZE);
        assertThat(v.get("bpf_object_open_opts.kernel_log_level")).isEqualTo(Opts.ObjectOpen.KERNEL_LOG_LEVEL);
        assertThat(v.get("bpf_tc_hook")).isEqualTo(Opts.TcHook.SIZE);
        assertThat(v.get("bpf_tc_hook.ifindex")).isEqualTo(Opts.TcHook.IFINDEX);
        assertThat(v.get("bpf_tc_hook.attach_point")).isEqualTo(Opts.TcHook.ATTACH_POINT);
        assertThat(v.get("bpf_tc_hook.parent")).isEqualTo(Opts.TcHook.PARENT);
        assertThat(v.get("bpf_tc_opts")).isEqualTo(Opts.TcOpts.SIZE);
        assertThat(v.get("bpf_tc_opts.prog_fd")).isEqualTo(Opts.TcOpts.PROG_FD);
        assertThat(v.get("bpf_tc_opts.flags")).isEqualTo(Opts.TcOpts.FLAGS);
        assertThat(v.get("bpf_tc_opts.prog_id")).isEqualTo(Opts.TcOpts.PROG_ID);
        assertThat(v.get("bpf_tc_opts.handle")).isEqualTo(Opts.TcOpts.HANDLE);
        assertThat(v.get("bpf_tc_opts.priority")).isEqualTo(Opts.TcOpts.PRIORITY);
        assertThat(v.get("bpf_test_run_opts")).isEqualTo(Opts.TestRun.SIZE);
        assertThat(v.get("bpf_test_run_opts.data_in")).isEqualTo(Opts.TestRun.DATA_IN);
        assertThat(v.get("bpf_test_run_opts.data_out")).isEqualTo(Opts.TestRun.DATA_OUT);
        assertThat(v.get("bpf_test_run_opts.data_size_in")).isEqualTo(Opts.TestRun.DATA_SIZE_IN);
        assertThat(v.get("bpf_test_run_opts.data_size_out")).isEqualTo(Opts.TestRun.DATA_SIZE_OUT);
        assertThat(v.get("bpf_test_run_opts.ctx_in")).isEqualTo(Opts.TestRun.CTX_IN);
        assertThat(v.get("bpf_test_run_opts.ctx_out")).isEqualTo(Opts.TestRun.CTX_OUT);
        assertThat(v.get("bpf_test_run_opts.ctx_size_in")).isEqualTo(Opts.TestRun.CTX_SIZE_IN);
        assertThat(v.get("bpf_test_run_opts.ctx_size_out")).isEqualTo(Opts.TestRun.CTX_SIZE_OUT);
        assertThat(v.get("bpf_test_run_opts.retval")).isEqualTo(Opts.TestRun.RETVAL);
        assertThat(v.get("bpf_test_run_opts.repeat")).isEqualTo(Opts.TestRun.REPEAT);
        assertThat(v.get("bpf_test_run_opts.duration")).isEqualTo(Opts.TestRun.DURATION);
        assertThat(v.get("bpf_map_batch_opts")).isEqualTo(Opts.MapBatch.SIZE);
        assertThat(v.get("bpf_map_batch_opts.elem_flags")).isEqualTo(Opts.MapBatch.ELEM_FLAGS);
        assertThat(v.get("bpf_map_batch_opts.flags")).isEqualTo(Opts.MapBatch.FLAGS);
        assertThat(v.get("bpf_xdp_attach_opts")).isEqualTo(Opts.XdpAttach.SIZE);
        assertThat(v.get("bpf_xdp_attach_opts.old_prog_fd")).isEqualTo(Opts.XdpAttach.OLD_PROG_FD);
        assertThat(v.get("bpf_link_create_opts.flags")).isEqualTo(Opts.LinkCreate.FLAGS);
        assertThat(Opts.LinkCreate.SIZE_TO_FLAGS).as("sz covers flags, 8-aligned").isEqualTo((Opts.LinkCreate.FLAGS + 4 + 7) / 8 * 8);
    }
}
