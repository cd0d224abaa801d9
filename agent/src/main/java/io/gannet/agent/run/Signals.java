package io.gannet.agent.run;

import sun.misc.Signal;

/**
 * SIGHUP handling. The JDK has no public API for it; {@code sun.misc.Signal} is the supported
 * escape hatch (jdk.unsupported module) and is what daemons on the JVM use. The handler runs
 * on a fresh thread so a slow reload never blocks the JVM's signal dispatcher.
 */
final class Signals {
    private Signals() {}

    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> Thread.ofPlatform().name("gannet-sighup").start(action));
    }
}
