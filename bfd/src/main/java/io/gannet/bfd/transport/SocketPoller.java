package io.gannet.bfd.transport;

import io.gannet.linux.LibC;
import java.util.List;
import jnr.ffi.Pointer;

/** poll(2) over a fixed set of sockets with a reused native pollfd array (struct pollfd {int fd; short events; short revents;}). */
public final class SocketPoller {
    private final Pointer fds;
    private final int count;

    public SocketPoller(List<UdpSocket> sockets) {
        count = sockets.size();
        fds = NativeMemory.allocate(8 * Math.max(count, 1));
        for (int i = 0; i < count; i++) {
            fds.putInt(i * 8, sockets.get(i).fd());
            fds.putShort(i * 8 + 4, LibC.POLLIN);
        }
    }

    /** Waits up to {@code timeoutMillis} for input; returns the number of ready sockets (0 on timeout, -1 on error). */
    public int await(int timeoutMillis) {
        for (int i = 0; i < count; i++) {
            fds.putShort(i * 8 + 6, (short) 0);
        }
        if (count == 0) {
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
        return LibC.INSTANCE.poll(fds, count, timeoutMillis);
    }

    /** True when socket {@code i} had input at the last {@link #await}. */
    public boolean ready(int i) {
        return fds.getShort(i * 8 + 6) != 0;
    }
}
