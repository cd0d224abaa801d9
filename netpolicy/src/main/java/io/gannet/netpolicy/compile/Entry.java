package io.gannet.netpolicy.compile;

/** A policy entry's value: allow or deny, and which rule made it (for counters and drop reports). */
public record Entry(boolean deny, RuleRef rule) {}
