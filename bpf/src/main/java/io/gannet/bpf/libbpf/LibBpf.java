package io.gannet.bpf.libbpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The subset of Debian 12's libbpf 1.1 ({@code libbpf.so.1}) Gannet calls, bound by jnr-ffi.
 *
 * <p>libbpf 1.x returns {@code -errno} from every int-returning call and NULL (with errno
 * set) from pointer-returning ones. Option structs are passed as raw memory laid out by
 * {@link Opts}, which sets each struct's leading {@code sz} field.
 */
public interface LibBpf {
    // --- objects (libbpf.h) ---
    Pointer bpf_object__open_file(String path, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    int bpf_program__fd(Pointer prog);

    int bpf_program__pin(Pointer prog, String path);

    int bpf_map__fd(Pointer map);

    /** The map after {@code prev} in the object (the first when prev is null), null after the last. */
    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    String bpf_map__name(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    int bpf_map__set_value_size(Pointer map, int size);

    /** The map's initial data (.data/.rodata sections), writable until the object is loaded; size into psize. */
    Pointer bpf_map__initial_value(Pointer map, Pointer psize);

    // --- TC (netlink cls_bpf, direct-action) ---
    int bpf_tc_hook_create(Pointer hook);

    int bpf_tc_hook_destroy(Pointer hook);

    int bpf_tc_attach(Pointer hook, Pointer opts);

    int bpf_tc_detach(Pointer hook, Pointer opts);

    int bpf_tc_query(Pointer hook, Pointer opts);

    /** BPF_PROG_QUERY: programs attached to a target (an ifindex for tcx attach types). */
    int bpf_prog_query(int targetFd, int type, int queryFlags, Pointer attachFlags, Pointer progIds, Pointer progCnt);

    // --- XDP ---
    int bpf_xdp_attach(int ifindex, int progFd, int flags, Pointer opts);

    int bpf_xdp_detach(int ifindex, int flags, Pointer opts);

    // --- maps (bpf.h) ---
    int bpf_map_update_elem(int fd, @In Pointer key, @In Pointer value, long flags);

    int bpf_map_lookup_elem(int fd, @In Pointer key, @Out Pointer value);

    int bpf_map_delete_elem(int fd, @In Pointer key);

    /** For queue/stack maps {@code key} is NULL: pops the oldest value. */
    int bpf_map_lookup_and_delete_elem(int fd, @In Pointer key, @Out Pointer value);

    int bpf_map_get_next_key(int fd, @In Pointer key, @Out Pointer nextKey);

    int bpf_map_update_batch(int fd, @In Pointer keys, @In Pointer values, Pointer count, Pointer opts);

    int bpf_map_delete_batch(int fd, @In Pointer keys, Pointer count, Pointer opts);

    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
            Pointer count, Pointer opts);

    int bpf_obj_pin(int fd, String path);

    int bpf_obj_get(String path);

    // --- links (bpf.h): a program attached to a target through a link, pinnable ---
    int bpf_link_create(int progFd, int targetFd, int attachType, Pointer opts);

    int bpf_link_update(int linkFd, int newProgFd, Pointer opts);

    int bpf_link_detach(int linkFd);

    /** BPF_OBJ_GET_INFO_BY_FD: for a map, struct bpf_map_info (type, id, key_size, value_size, max_entries, ...). */
    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer infoLen);

    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    // --- feature probes ---
    int libbpf_probe_bpf_prog_type(int progType, Pointer opts);

    int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

    int libbpf_probe_bpf_helper(int progType, int helperId, Pointer opts);

    int libbpf_num_possible_cpus();

    int libbpf_strerror(int err, Pointer buf, @size_t long size);
}
