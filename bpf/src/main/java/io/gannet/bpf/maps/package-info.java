/**
 * Java mirrors of the BPF maps' key and value structs (src/main/bpf/lib/maps.h): every
 * field including pad bytes at its offset, with the C layout drawn in each class. Map names
 * come from {@link io.gannet.bpf.maps.DpMaps}; sizes (max_entries) are set once in
 * lib/maps.h. {@link io.gannet.bpf.maps.TypedMap} refuses a map whose key/value sizes
 * disagree with the mirror; BtfLayoutTest compares sizes and offsets with the compiled
 * objects' BTF. Immutable values; no threads.
 */
package io.gannet.bpf.maps;
