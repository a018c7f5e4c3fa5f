/**
 * The server side of running several nodes as one: the node list ({@link io.herald.server.cluster.ClusterNodes}
 * behind {@code GET /cluster/v1/nodes}, served by {@link io.herald.server.cluster.NodesHandler}). The
 * broker itself is {@code io.herald.redis.RedisBroker}, built by {@code HeraldServer} from the
 * {@code cluster} configuration section.
 */
package io.herald.server.cluster;
