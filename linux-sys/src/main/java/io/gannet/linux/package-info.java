/**
 * Gannet the Linux system calls Gannet makes through jnr-ffi (netlink, setns, socket options): one binding for every module.
 * <p>
 * Skeleton: the module exists so the reactor and the module graph are fixed; its issue fills it in.
 */
package io.gannet.linux;
