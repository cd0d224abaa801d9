/**
 * Read-only views of procfs that turn kernel errors into the user's terms: which process holds
 * a port ({@link io.gannet.linux.proc.SocketOwners}). No threads, no state; every call reads
 * procfs afresh in the caller's network namespace.
 */
package io.gannet.linux.proc;
