package io.gannet.l4lb.model;

/**
 * Input the load balancer did not use, and why, in the user's terms: shown by {@code gannet
 * show vips} and logged once.
 *
 * @param where file and object ("services/web.yaml: Service default/web") or the API
 * @param what  what is wrong or unsupported ("spec.externalIPs[0] 198.51.100.9 is outside the VIP pool 203.0.113.0/24")
 */
public record Problem(String where, String what) {
    @Override
    public String toString() {
        return where + ": " + what;
    }
}
