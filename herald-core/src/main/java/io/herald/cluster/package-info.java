/**
 * How hubs reach subscribers on every node: the {@link io.herald.cluster.Broker} port and its
 * in-memory adapter. The Redis adapter is {@code io.herald.redis.RedisBroker} in herald-redis;
 * nothing else may assume a single node.
 */
package io.herald.cluster;
