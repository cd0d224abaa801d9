package io.gannet.pod.ipam;

import java.net.InetAddress;

/** The node's block at a glance: its size, gateway and how much of it is taken. */
public record BlockUsage(IpBlock block, InetAddress gateway, int usable, int podsInBlock, int reserved, int free, int fixed) {}
