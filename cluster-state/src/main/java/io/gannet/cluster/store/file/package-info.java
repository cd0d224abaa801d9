/**
 * The embedded file store: one JSON document replaced atomically (write, fsync, rename, fsync
 * of the directory) under an exclusive flock, inotify for other processes' writes. See
 * {@link io.gannet.cluster.store.file.FileStore}.
 */
package io.gannet.cluster.store.file;
