package io.gannet.l4lb.health;

/** One probe's outcome and, when it failed, why ("connection refused", "status 503", "exit 2"). */
public record ProbeResult(boolean ok, String detail) {
    public static final ProbeResult OK = new ProbeResult(true, "ok");

    public static ProbeResult failed(String why) {
        return new ProbeResult(false, why);
    }
}
