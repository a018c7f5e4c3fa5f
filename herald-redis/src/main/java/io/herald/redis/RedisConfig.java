package io.herald.redis;

import java.time.Duration;
import java.util.List;

/**
 * How Herald reaches Redis. {@code topology} says how the {@code urls} relate: one
 * {@link Topology#STANDALONE} server; {@link Topology#ISOLATED} servers that know nothing of each
 * other, streams spread over them by {@link ShardRing}; or a {@link Topology#CLUSTER}, whose urls
 * are seed nodes. {@code prefix} starts every key and channel (see {@link StreamKeys});
 * {@code metaTtl} is how long a stream's offset and epoch survive without publications (much longer
 * than any history TTL, so offsets keep growing after the history expired); {@code maxPoolSize} and
 * {@code maxPoolWaiting} bound the command connections per server and the commands waiting for one.
 */
public record RedisConfig(Topology topology, List<String> urls, String prefix, Duration metaTtl,
                          int maxPoolSize, int maxPoolWaiting) {

    public static final Duration DEFAULT_META_TTL = Duration.ofDays(30);
    public static final int DEFAULT_MAX_POOL_SIZE = 8;
    public static final int DEFAULT_MAX_POOL_WAITING = 4096;

    /** How the configured servers form one Redis. */
    public enum Topology { STANDALONE, ISOLATED, CLUSTER }

    public RedisConfig {
        if (topology == null) {
            throw new IllegalArgumentException("redis.topology is required");
        }
        urls = List.copyOf(urls);
        if (urls.isEmpty() || (topology == Topology.STANDALONE && urls.size() != 1)) {
            throw new IllegalArgumentException("redis.urls: " + topology + " needs " + (topology == Topology.STANDALONE ? "exactly one url" : "at least one url"));
        }
        new StreamKeys(prefix);
        if (metaTtl == null || metaTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("redis.meta-ttl must be at least one second: " + metaTtl);
        }
        if (maxPoolSize < 1 || maxPoolWaiting < 1) {
            throw new IllegalArgumentException("redis.max-pool-size and redis.max-pool-waiting must be positive");
        }
    }

    /** A configuration with the default prefix, meta TTL and pool bounds. */
    public static RedisConfig of(Topology topology, List<String> urls) {
        return new RedisConfig(topology, urls, StreamKeys.DEFAULT_PREFIX, DEFAULT_META_TTL, DEFAULT_MAX_POOL_SIZE, DEFAULT_MAX_POOL_WAITING);
    }
}
