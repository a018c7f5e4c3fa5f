package io.herald.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** How sessions are authenticated: HS256 JWTs (header, cookie or query), and API keys. */
public record AuthConfig(Jwt jwt, Cookie cookie, List<ApiKey> apiKeys) {

    public AuthConfig {
        jwt = jwt == null ? new Jwt(null, null, null) : jwt;
        cookie = cookie == null ? new Cookie(null) : cookie;
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < apiKeys.size(); i++) {
            ApiKey k = apiKeys.get(i);
            String path = "auth.apiKeys[" + i + "]";
            if (k.key() == null || k.key().length() < 16) {
                throw new ConfigException(path + ".key", "is required and must be at least 16 characters");
            }
            if (k.userId() == null || k.userId().isBlank()) {
                throw new ConfigException(path + ".userId", "is required");
            }
            if (!seen.add(k.key())) {
                throw new ConfigException(path + ".key", "is a duplicate");
            }
        }
    }

    public static AuthConfig defaults() {
        return new AuthConfig(null, null, null);
    }

    public AuthConfig withJwtSecret(String secret) {
        return new AuthConfig(new Jwt(secret, jwt.requireExp(), jwt.clockSkewSeconds()), cookie, apiKeys);
    }

    public AuthConfig withApiKeys(List<ApiKey> keys) {
        return new AuthConfig(jwt, cookie, keys);
    }

    /** HS256 verification settings. {@code secret} is a secret: from {@code JWT_SECRET} or a file. */
    public record Jwt(String secret, Boolean requireExp, Long clockSkewSeconds) {
        public static final long DEFAULT_SKEW_SECONDS = 30;

        public Jwt {
            requireExp = requireExp == null ? Boolean.TRUE : requireExp;
            clockSkewSeconds = clockSkewSeconds == null ? DEFAULT_SKEW_SECONDS : clockSkewSeconds;
            if (clockSkewSeconds < 0 || clockSkewSeconds > 300) {
                throw new ConfigException("auth.jwt.clockSkewSeconds", "must be 0..300");
            }
        }

        @Override
        public String toString() {
            return "Jwt[secret=" + (secret == null ? "unset" : "***") + ", requireExp=" + requireExp + "]";
        }
    }

    /** The session cookie carrying the same JWT. */
    public record Cookie(String name) {
        public static final String DEFAULT_NAME = "herald_session";

        public Cookie {
            name = name == null || name.isBlank() ? DEFAULT_NAME : name;
        }
    }

    /** One API key and the identity it stands for. */
    public record ApiKey(String key, String userId, String name, Map<String, List<String>> orgs) {
        public ApiKey {
            orgs = orgs == null ? Map.of() : Map.copyOf(orgs);
        }

        @Override
        public String toString() {
            return "ApiKey[userId=" + userId + ", key=***]";
        }
    }
}
