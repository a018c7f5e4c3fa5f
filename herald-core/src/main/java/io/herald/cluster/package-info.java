/**
 * How hubs reach subscribers on every node: the {@link io.herald.cluster.Broker} port and its
 * in-memory adapter. A Redis adapter will sit beside it; nothing else may assume a single node.
 */
package io.herald.cluster;
