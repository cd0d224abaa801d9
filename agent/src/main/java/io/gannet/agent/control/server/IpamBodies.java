package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonControl;
import java.util.Map;

/**
 * Request bodies of the pod IPAM endpoints ({@code POST /v1/ipam/...}): the CNI plugin's
 * allocate and release, and the operator's reserve and release of one address.
 */
final class IpamBodies {
    private IpamBodies() {}

    /** {@code containerId}, {@code ifName} (CNI's), the pod, and optionally {@code fixedIp} = namespace/statefulset/ordinal. */
    record Allocate(String containerId, String ifName, String podNamespace, String podName, String fixedIp) {}

    record Release(String containerId, String ifName) {}

    record Reserve(String address, String note) {}

    record ReleaseAddress(String address) {}

    static Map<String, Object> dispatch(String path, byte[] body, DaemonControl control) {
        return switch (path) {
            case "/v1/ipam/allocate" -> {
                Allocate a = JsonCodec.readBody(body, Allocate.class);
                yield control.ipamAllocate(required(a.containerId(), "containerId"), required(a.ifName(), "ifName"),
                        a.podNamespace(), a.podName(), a.fixedIp());
            }
            case "/v1/ipam/release" -> {
                Release a = JsonCodec.readBody(body, Release.class);
                yield control.ipamRelease(required(a.containerId(), "containerId"), required(a.ifName(), "ifName"));
            }
            case "/v1/ipam/reserve" -> {
                Reserve a = JsonCodec.readBody(body, Reserve.class);
                yield control.ipamReserve(required(a.address(), "address"), a.note());
            }
            default -> {
                ReleaseAddress a = JsonCodec.readBody(body, ReleaseAddress.class);
                yield control.ipamReleaseAddress(required(a.address(), "address"));
            }
        };
    }

    private static String required(String v, String field) {
        if (v == null || v.isEmpty()) {
            throw ControlException.badRequest("request body needs '" + field + "'");
        }
        return v;
    }
}
