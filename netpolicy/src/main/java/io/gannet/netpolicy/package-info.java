/**
 * Gannet network policy: identities, selectors, the NetworkPolicy/CiliumNetworkPolicy compiler, external endpoints.
 * <p>
 * Skeleton: the module exists so the reactor and the module graph are fixed; its issue fills it in.
 */
package io.gannet.netpolicy;
