package io.herald.redis;

/**
 * The Redis names of a stream: {@code <prefix>:{<stream>}:meta} (hash {@code e} = epoch,
 * {@code s} = top offset), {@code <prefix>:{<stream>}:history} (the stream of publications),
 * {@code <prefix>:{<stream>}:nodes} (the ids of the nodes subscribed to it) and the pub/sub channel
 * {@code <prefix>:{<stream>}}. The braces are a Redis Cluster hash tag, so the
 * three names always hash to one slot and the publish script may touch them together.
 *
 * <p>A stream name must be non-empty and must not contain {@code '}'} (it would end the hash tag
 * early, and an empty tag would hash the whole key). The prefix must not contain braces.
 * Immutable and thread-safe.
 */
public final class StreamKeys {

    /** The prefix used when none is configured. */
    public static final String DEFAULT_PREFIX = "herald";

    private final String prefix;

    public StreamKeys(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("redis prefix must be non-empty and without braces: " + prefix);
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String meta(String stream) {
        return tagged(stream) + ":meta";
    }

    public String history(String stream) {
        return tagged(stream) + ":history";
    }

    /** The set of the ids of the nodes subscribed to the stream (kept by the broker, read by the publish script). */
    public String nodes(String stream) {
        return tagged(stream) + ":nodes";
    }

    /** The key of a claim ({@link RedisStreams#claim}), tagged like a stream of that name. */
    public String claim(String name) {
        return tagged(name) + ":claim";
    }

    /** The set of the streams a keyed source published to, tagged like a stream named {@code source/<source>}. */
    public String sourceTopics(String source) {
        return tagged("source/" + source) + ":topics";
    }

    public String channel(String stream) {
        return tagged(stream);
    }

    /** The stream a channel of this prefix belongs to, or {@code null} when the channel is not one of ours. */
    public String streamOf(String channel) {
        int start = prefix.length() + 2;
        if (channel.length() < start + 2 || !channel.startsWith(prefix) || channel.charAt(prefix.length()) != ':'
                || channel.charAt(prefix.length() + 1) != '{' || channel.charAt(channel.length() - 1) != '}') {
            return null;
        }
        return channel.substring(start, channel.length() - 1);
    }

    private String tagged(String stream) {
        if (stream == null || stream.isEmpty() || stream.indexOf('}') >= 0) {
            throw new IllegalArgumentException("stream name must be non-empty and without '}': " + stream);
        }
        return prefix + ":{" + stream + "}";
    }
}
