package io.gannet.bfd;

/**
 * A client's callback. Called on the service's single notification thread, in order of the
 * changes, never with a session lock held; a slow listener delays other listeners, not BFD.
 */
@FunctionalInterface
public interface BfdListener {
    void onStateChange(BfdStateChange change);
}
