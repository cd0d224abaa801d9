/**
 * The L4LB's input model: VIPs and backends read from Kubernetes Service and EndpointSlice
 * YAML (externalIPs, LoadBalancer), the profile's VIP pool, health-check and weight
 * annotations, and the problems found in them. Values are immutable; {@link
 * io.gannet.l4lb.model.VipCatalog} is owned by the one thread that reloads the directory.
 */
package io.gannet.l4lb.model;
