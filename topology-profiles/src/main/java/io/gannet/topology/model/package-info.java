/**
 * The bound profile as typed, immutable records, before cross-checks and resolution. Null
 * fields were missing or invalid (already reported); optional settings blocks merge with
 * {@code overlay} so per-host overrides state only what differs.
 */
package io.gannet.topology.model;
