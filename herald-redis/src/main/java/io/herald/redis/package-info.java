/**
 * Herald across nodes on Redis: streams with offsets, epochs and bounded history, delivered by
 * pub/sub. The entry types are {@link io.herald.redis.RedisStreams} (publish, history, position) and
 * {@link io.herald.redis.StreamSubscriber} (pub/sub connections that reconnect and resubscribe),
 * and on them {@link io.herald.redis.RedisBroker}, the {@code io.herald.cluster.Broker} across nodes
 * (delivery counts from every subscribed node, node membership, gap reports). Room leases, which make
 * one node the owner of each room, are {@link io.herald.redis.RedisRoomLeases}.
 *
 * <h2>Layout in Redis</h2>
 * For a stream {@code S} and the prefix {@code P} ({@code herald} by default):
 * <pre>
 *   P:{S}:meta      hash    e = epoch (10 random [0-9a-z]), s = top offset   TTL: meta TTL (30 days), renewed per publish
 *   P:{S}:history   stream  id &lt;offset&gt;-0, field d = payload               TTL: history TTL, renewed per publish; MAXLEN ~ history size
 *   P:{S}:nodes     set     ids of the nodes subscribed (kept by the broker)   no TTL; a closing node removes itself, dead ids are removed by publishers
 *   P:{S}           channel frame "h1:&lt;offset&gt;:&lt;epoch&gt;:" + payload       PUBLISH, or SPUBLISH in a cluster
 *   P:{node:N}      channel delivery counts for node N's publishes          see BrokerFrames
 *   P:{nodes}       zset    node id scored by heartbeat expiry (ms, Redis clock)   see NodeRegistry
 *   P:{nodes}:info  hash    node id -&gt; instance token, address, start, connections by primitive
 *   P:room:{R}      string  "&lt;node id&gt;:&lt;token&gt;" of room R's owner (R = party:room)   TTL: the lease term, see RedisRoomLeases
 *   P:room:{R}:fence string room R's last fencing token                        no TTL (tokens must only grow)
 * </pre>
 * The {@code {S}} hash tag puts the three in one cluster slot. Offsets start at 1 and are gap-free
 * within an epoch; when the meta hash is lost the next publish starts a new epoch at offset 1 and
 * drops the old history. Everything stays within Redis 7.0 (no hash-field TTLs).
 *
 * <h2>Topologies</h2>
 * {@link io.herald.redis.RedisConfig.Topology#STANDALONE one server};
 * {@link io.herald.redis.RedisConfig.Topology#ISOLATED isolated servers}, a stream living on the
 * server its name's jump hash picks ({@link io.herald.redis.ShardRing}), publisher and subscriber
 * choosing alike; {@link io.herald.redis.RedisConfig.Topology#CLUSTER Redis Cluster} with sharded
 * pub/sub, one subscriber connection per master and SSUBSCRIBE batches within one slot.
 */
package io.herald.redis;
