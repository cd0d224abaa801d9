package io.gannet.linux.netlink;

import io.gannet.linux.SysException;

/** A netlink request the kernel refused; the message names the object asked for. */
public final class NetlinkException extends SysException {
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation, errno, kernelMessage);
        this.kernelMessage = kernelMessage;
    }

    /** The kernel's extended ack text (NLMSGERR_ATTR_MSG), or null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
