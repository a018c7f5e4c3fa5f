package io.herald.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** User lanes: where they are mounted, who may publish, and per-socket and per-lane limits. */
public record LanesConfig(
        @Doc("Where lanes are mounted; \"\" mounts the HopeFlow URLs (upgrade at /, publish at /publish).") String basePath,
        @Doc("Who may publish: server (the ACCESS_TOKEN only) or any-authenticated (any valid session too).")
        PublishPolicy publishPolicy,
        @Doc("Filters one socket may hold; more are ignored and counted.") Integer maxFiltersPerSocket,
        @Doc("Largest frame a client may send, in bytes; a larger one closes the socket with 1009.") Integer maxFrameBytes,
        @Doc("How long a publish waits for acks when the request gives no timeoutMs, in ms (at most 30000).") Long ackTimeoutMs,
        @Doc("Sockets one user may hold; one more upgrade gets 429.") Integer maxSocketsPerUser,
        @Doc("Whether subscribed, unsubscribed and error frames are sent (HopeFlow sends none).") Boolean controlReplies,
        @Doc("Publishes to one user still waiting for acks; one more gets 429.") Integer maxPendingPerLane) {

    public static final String DEFAULT_BASE_PATH = "/lanes/v1";
    public static final int DEFAULT_MAX_FILTERS = 200;
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final long DEFAULT_ACK_TIMEOUT_MS = 5000;
    public static final long MAX_ACK_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MAX_SOCKETS_PER_USER = 20;
    public static final int DEFAULT_MAX_PENDING_PER_LANE = 1000;

    /** Who may call the publish API. */
    public enum PublishPolicy {
        /** Only the server credential (the default: the safe one). */
        SERVER,
        /** Any valid session may publish to any user, as HopeFlow does. */
        ANY_AUTHENTICATED;

        @JsonCreator
        public static PublishPolicy parse(String s) {
            return switch (s == null ? "" : s) {
                case "server" -> SERVER;
                case "any-authenticated" -> ANY_AUTHENTICATED;
                default -> throw new ConfigException("lanes.publishPolicy", "'" + s + "' is not server or any-authenticated");
            };
        }

        @JsonValue
        public String wire() {
            return this == SERVER ? "server" : "any-authenticated";
        }
    }

    public LanesConfig {
        basePath = basePath == null ? DEFAULT_BASE_PATH : basePath;
        publishPolicy = publishPolicy == null ? PublishPolicy.SERVER : publishPolicy;
        maxFiltersPerSocket = maxFiltersPerSocket == null ? DEFAULT_MAX_FILTERS : maxFiltersPerSocket;
        maxFrameBytes = maxFrameBytes == null ? DEFAULT_MAX_FRAME_BYTES : maxFrameBytes;
        ackTimeoutMs = ackTimeoutMs == null ? DEFAULT_ACK_TIMEOUT_MS : Math.min(ackTimeoutMs, MAX_ACK_TIMEOUT_MS);
        maxSocketsPerUser = maxSocketsPerUser == null ? DEFAULT_MAX_SOCKETS_PER_USER : maxSocketsPerUser;
        controlReplies = controlReplies == null || controlReplies;
        maxPendingPerLane = maxPendingPerLane == null ? DEFAULT_MAX_PENDING_PER_LANE : maxPendingPerLane;
        if (!basePath.isEmpty() && !basePath.matches("(/[A-Za-z0-9._-]+)+")) {
            throw new ConfigException("lanes.basePath", "must be \"\" or a path like /lanes/v1");
        }
        ServerConfig.positive("lanes.maxFiltersPerSocket", maxFiltersPerSocket);
        ServerConfig.positive("lanes.maxFrameBytes", maxFrameBytes);
        ServerConfig.positive("lanes.ackTimeoutMs", ackTimeoutMs);
        ServerConfig.positive("lanes.maxSocketsPerUser", maxSocketsPerUser);
        ServerConfig.positive("lanes.maxPendingPerLane", maxPendingPerLane);
    }

    public static LanesConfig defaults() {
        return new LanesConfig(null, null, null, null, null, null, null, null);
    }

    public LanesConfig withBasePath(String p) {
        return new LanesConfig(p, publishPolicy, maxFiltersPerSocket, maxFrameBytes, ackTimeoutMs, maxSocketsPerUser,
                controlReplies, maxPendingPerLane);
    }

    public LanesConfig withPublishPolicy(PublishPolicy p) {
        return new LanesConfig(basePath, p, maxFiltersPerSocket, maxFrameBytes, ackTimeoutMs, maxSocketsPerUser,
                controlReplies, maxPendingPerLane);
    }

    public LanesConfig withLimits(int maxFilters, int frameBytes, long ackTimeout, int socketsPerUser) {
        return new LanesConfig(basePath, publishPolicy, maxFilters, frameBytes, ackTimeout, socketsPerUser,
                controlReplies, maxPendingPerLane);
    }

    public LanesConfig withControlReplies(boolean on) {
        return new LanesConfig(basePath, publishPolicy, maxFiltersPerSocket, maxFrameBytes, ackTimeoutMs,
                maxSocketsPerUser, on, maxPendingPerLane);
    }
}
