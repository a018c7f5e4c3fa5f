/**
 * How hubs reach subscribers on every node: the {@link io.herald.cluster.Broker} port and its
 * in-memory adapter. The Redis adapter is {@code io.herald.redis.RedisBroker} in herald-redis;
 * nothing else may assume a single node. Which node owns a room: the
 * {@link io.herald.cluster.RoomLeases} port, its single-node adapter
 * {@link io.herald.cluster.LocalRoomLeases} ({@code io.herald.redis.RedisRoomLeases} across nodes),
 * and the {@link io.herald.cluster.LeaseRenewer} that keeps held leases alive.
 */
package io.herald.cluster;
