/**
 * Allocation as store transactions: {@link io.gannet.cluster.store.alloc.PoolAllocator} hands
 * the items of a numbered pool to owners, one each, never twice. Stateless; thread safe.
 */
package io.gannet.cluster.store.alloc;
