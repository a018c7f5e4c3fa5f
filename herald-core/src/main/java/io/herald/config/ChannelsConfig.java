package io.herald.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The Channels primitive (SSE): name pattern, access rules, replay ring, heartbeats and caps. */
public record ChannelsConfig(
        @Doc("Regular expression a channel name must match as a whole, once percent-decoded.") String pattern,
        @Doc(value = "Channels a session may read: rules with * and the placeholders {org} (its organizations) and {user}.",
                example = "[\"team:{org}:*\", \"member:{user}:notify\"]")
        List<String> allow,
        @Doc(value = "Channels anyone may read without credentials, as rules.", example = "[\"status:*\"]")
        @com.fasterxml.jackson.annotation.JsonProperty("public") List<String> publicChannels,
        @Doc("Open streams per channel; one more gets 429.") Integer maxSubscribersPerChannel,
        @Doc("Time without a write after which a keepalive comment is sent, in ms.") Long heartbeatMs,
        @Doc("Events kept per channel for resuming with Last-Event-ID (0..100000; 0: no replay).") Integer replayBufferSize,
        @Doc("Whether the replay ring and the id counter are kept in storage and survive restarts.") Boolean durable,
        @Doc("Time after which a channel with no stream and no publish is dropped, in ms.") Long idleEvictMs,
        @Doc("Channels in memory; a new one past the cap gets 429.") Integer maxChannels) {

    public static final String DEFAULT_PATTERN = "^[a-zA-Z0-9:_.-]{1,128}$";
    public static final int DEFAULT_MAX_SUBSCRIBERS = 1000;
    public static final long DEFAULT_HEARTBEAT_MS = 30_000;
    public static final int DEFAULT_REPLAY_BUFFER = 50;
    public static final long DEFAULT_IDLE_EVICT_MS = 60_000;
    public static final int DEFAULT_MAX_CHANNELS = 10_000;
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9:_.*{}-]{1,256}");

    public ChannelsConfig {
        pattern = pattern == null || pattern.isBlank() ? DEFAULT_PATTERN : pattern;
        allow = allow == null ? List.of() : List.copyOf(allow);
        publicChannels = publicChannels == null ? List.of() : List.copyOf(publicChannels);
        maxSubscribersPerChannel = maxSubscribersPerChannel == null ? DEFAULT_MAX_SUBSCRIBERS : maxSubscribersPerChannel;
        heartbeatMs = heartbeatMs == null ? DEFAULT_HEARTBEAT_MS : heartbeatMs;
        replayBufferSize = replayBufferSize == null ? DEFAULT_REPLAY_BUFFER : replayBufferSize;
        durable = durable != null && durable;
        idleEvictMs = idleEvictMs == null ? DEFAULT_IDLE_EVICT_MS : idleEvictMs;
        maxChannels = maxChannels == null ? DEFAULT_MAX_CHANNELS : maxChannels;
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new ConfigException("channels.pattern", "is not a valid regular expression");
        }
        ServerConfig.positive("channels.maxSubscribersPerChannel", maxSubscribersPerChannel);
        ServerConfig.positive("channels.heartbeatMs", heartbeatMs);
        ServerConfig.positive("channels.idleEvictMs", idleEvictMs);
        ServerConfig.positive("channels.maxChannels", maxChannels);
        if (replayBufferSize < 0 || replayBufferSize > 100_000) {
            throw new ConfigException("channels.replayBufferSize", "must be 0..100000");
        }
        for (int i = 0; i < allow.size(); i++) {
            rule("channels.allow[" + i + "]", allow.get(i));
        }
        for (int i = 0; i < publicChannels.size(); i++) {
            rule("channels.public[" + i + "]", publicChannels.get(i));
        }
    }

    private static void rule(String path, String r) {
        if (r == null || !RULE.matcher(r).matches()) {
            throw new ConfigException(path, "a rule is channel characters, * and the placeholders {org} {user}");
        }
        String stripped = r.replace("{org}", "").replace("{user}", "");
        if (stripped.contains("{") || stripped.contains("}")) {
            throw new ConfigException(path, "only {org} and {user} are placeholders");
        }
    }

    public static ChannelsConfig defaults() {
        return new ChannelsConfig(null, null, null, null, null, null, null, null, null);
    }

    public ChannelsConfig withRules(List<String> allowRules, List<String> publicRules) {
        return new ChannelsConfig(pattern, allowRules, publicRules, maxSubscribersPerChannel, heartbeatMs,
                replayBufferSize, durable, idleEvictMs, maxChannels);
    }

    public ChannelsConfig withLimits(int maxSubscribers, long heartbeat, int replayBuffer, long idleEvict, int channels) {
        return new ChannelsConfig(pattern, allow, publicChannels, maxSubscribers, heartbeat, replayBuffer, durable,
                idleEvict, channels);
    }

    public ChannelsConfig withDurable(boolean d) {
        return new ChannelsConfig(pattern, allow, publicChannels, maxSubscribersPerChannel, heartbeatMs,
                replayBufferSize, d, idleEvictMs, maxChannels);
    }
}
