package io.gannet.cluster.store;

/** Whether a transaction's compares held (and so its operations were applied), and the store revision after it. */
public record TxnResult(boolean succeeded, long revision) {}
