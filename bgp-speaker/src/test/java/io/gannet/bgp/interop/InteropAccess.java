package io.gannet.bgp.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Lets tests outside this package run a BIRD peer and poll conditions. */
public final class InteropAccess {
    private InteropAccess() {}

    /** A running BIRD; close it to stop it. */
    public interface Bird extends AutoCloseable {
        boolean established(String protocol);

        @Override
        void close();
    }

    public static Bird bird(String config) throws IOException {
        BirdDaemon d = new BirdDaemon(config);
        return new Bird() {
            @Override
            public boolean established(String protocol) {
                return d.established(protocol);
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    public static boolean await(Duration timeout, BooleanSupplier condition) {
        return ExternalDaemon.await(timeout, condition);
    }
}
