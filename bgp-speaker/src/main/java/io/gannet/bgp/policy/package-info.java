/**
 * Import and export policy as data (STYLE.md habit 10): ordered statements of conditions
 * (prefix lists with ge/le, communities, large communities, AS_PATH length and membership,
 * locally originated, family) to actions (set MED / LOCAL_PREF / next hop, add and remove
 * communities, prepend) and a verdict, with a default verdict. Built from plain Java values.
 *
 * <p>Threading: immutable, shareable across threads. Evaluation allocates nothing; applying
 * actions interns the resulting attribute set and is called on the RIB's loop.
 */
package io.gannet.bgp.policy;
