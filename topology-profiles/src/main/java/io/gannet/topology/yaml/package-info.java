/**
 * YAML text to a tree that remembers where every key and value was written, read with
 * Jackson's YAML streaming parser (SnakeYAML underneath). Syntax errors, duplicate keys and
 * extra documents become problems. No state, no threads.
 */
package io.gannet.topology.yaml;
