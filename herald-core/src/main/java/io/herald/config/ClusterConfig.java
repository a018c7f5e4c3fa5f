package io.herald.config;

import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Running several Herald nodes as one over Redis. {@code nodeId} names this node among the live
 * ones (default: a random id per start, so a restarted node is a new node); {@code redis} says where
 * Redis is, and is {@link Redis#enabled() disabled} by default (one node, in-memory broker);
 * {@code replyTimeoutMs} is how long a publish waits for the other nodes' delivery counts before
 * completing with what it has.
 */
public record ClusterConfig(
        @Doc(value = "This node's name among the live ones: letters, digits, '.', '_' and '-'.",
                computedDefault = "a random id at every start", example = "node-a")
        String nodeId,
        @Doc("Where Redis is; without url or urls, one node with an in-memory broker.") Redis redis,
        @Doc("How long a publish waits for the other nodes' delivery counts, in ms, before completing with what it has.")
        Long replyTimeoutMs) {

    public static final long DEFAULT_REPLY_TIMEOUT_MS = 500;
    public static final String DEFAULT_PREFIX = "herald";
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public ClusterConfig {
        nodeId = nodeId == null || nodeId.isBlank() ? randomNodeId() : nodeId;
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new ConfigException("cluster.nodeId", "1 to 64 letters, digits, '.', '_' or '-', was '" + nodeId + "'");
        }
        redis = redis == null ? Redis.none() : redis;
        replyTimeoutMs = replyTimeoutMs == null ? DEFAULT_REPLY_TIMEOUT_MS : replyTimeoutMs;
        ServerConfig.positive("cluster.replyTimeoutMs", replyTimeoutMs);
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, null, null);
    }

    /**
     * Where Redis is: one server at {@code url}; or several at {@code urls}, either isolated servers
     * that streams are spread over or, with {@code cluster: true}, the seed nodes of a Redis Cluster.
     * {@code prefix} starts every key and channel, so several Herald clusters may share one Redis.
     */
    public record Redis(
            @Doc(value = "One Redis server.", example = "redis://127.0.0.1:6379") String url,
            @Doc(value = "Several Redis servers that streams are spread over, or with cluster: true the seed nodes of a Redis Cluster.",
                    example = "[redis://10.0.0.1:6379, redis://10.0.0.2:6379]")
            List<String> urls,
            @Doc("Whether url or urls name the seed nodes of a Redis Cluster.") Boolean cluster,
            @Doc("Start of every key and channel, so that several Herald clusters may share one Redis.") String prefix) {
        public Redis {
            url = url == null || url.isBlank() ? null : url;
            urls = urls == null ? List.of() : List.copyOf(urls);
            cluster = cluster != null && cluster;
            prefix = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : prefix;
            if (url != null && !urls.isEmpty()) {
                throw new ConfigException("cluster.redis.urls", "set either cluster.redis.url or cluster.redis.urls, not both");
            }
            if (cluster && url == null && urls.isEmpty()) {
                throw new ConfigException("cluster.redis.cluster", "a Redis Cluster needs cluster.redis.url or cluster.redis.urls");
            }
            if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
                throw new ConfigException("cluster.redis.prefix", "must not contain braces");
            }
        }

        static Redis none() {
            return new Redis(null, null, null, null);
        }

        /** Whether a Redis is configured at all. */
        public boolean enabled() {
            return url != null || !urls.isEmpty();
        }

        /** Every configured url: {@code url} alone, or {@code urls}. */
        public List<String> endpoints() {
            return url != null ? List.of(url) : urls;
        }
    }

    private static String randomNodeId() {
        char[] alphabet = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = alphabet[RANDOM.nextInt(alphabet.length)];
        }
        return new String(id);
    }
}
