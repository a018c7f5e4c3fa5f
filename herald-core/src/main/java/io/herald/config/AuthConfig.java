package io.herald.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How sessions are authenticated: JWTs (header, cookie or query) signed with a shared secret or by an
 * identity provider's published keys, and API keys.
 */
public record AuthConfig(
        @Doc("How session JWTs are verified.") Jwt jwt,
        @Doc("The session cookie, carrying the same JWT as a Bearer header would.") Cookie cookie,
        @Doc("API keys, each standing for one identity; sent as x-api-key or ?api_key=.") List<ApiKey> apiKeys) {

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
        return new AuthConfig(jwt.withSecret(secret), cookie, apiKeys);
    }

    public AuthConfig withJwt(Jwt j) {
        return new AuthConfig(j, cookie, apiKeys);
    }

    public AuthConfig withApiKeys(List<ApiKey> keys) {
        return new AuthConfig(jwt, cookie, keys);
    }

    /**
     * How session JWTs are verified: HMAC with {@code secret}, and/or the public keys an identity provider
     * publishes at {@code jwksUrl}. {@code secret} is a secret: from {@code JWT_SECRET} or a file.
     *
     * @param issuer when set, the {@code iss} a token must carry
     * @param audience when set, a value the token's {@code aud} must contain
     * @param algorithms the allowed {@code alg} values; empty means HS256 when a secret is set, plus RS256 and
     *     ES256 when {@code jwksUrl} is set (see {@link #allowedAlgorithms()})
     * @param claims where the user id, organizations, roles and name are found in a token
     */
    public record Jwt(
            @Doc("HMAC key of HS256 session JWTs, at least 32 bytes (48 for HS384, 64 for HS512); optional with jwksUrl.")
            String secret,
            @Doc("Whether tokens without exp are refused.") Boolean requireExp,
            @Doc("Leeway applied to exp and nbf, in seconds (0..300).") Long clockSkewSeconds,
            @Doc(value = "URL of the keys an identity provider publishes (JWKS), for RS, PS and ES tokens.",
                    example = "https://issuer.example/.well-known/jwks.json")
            String jwksUrl,
            @Doc(value = "When set, the iss a token must carry.", example = "https://issuer.example/") String issuer,
            @Doc(value = "When set, a value the token's aud must contain.", example = "herald") String audience,
            @Doc(value = "Allowed alg values; empty: HS256 when a secret is set, plus RS256 and ES256 when jwksUrl is set.",
                    values = {"HMAC_ALGORITHMS", "PUBLIC_KEY_ALGORITHMS"}, example = "[RS256, ES256]")
            List<String> algorithms,
            @Doc("Where the user id, organizations, roles and name are found in a token.") Claims claims) {
        public static final long DEFAULT_SKEW_SECONDS = 30;
        /** RFC 7518 §3.2: an HMAC key at least as long as the hash output, so 32 bytes for HS256. */
        public static final int MIN_SECRET_BYTES = 32;
        public static final List<String> HMAC_ALGORITHMS = List.of("HS256", "HS384", "HS512");
        public static final List<String> PUBLIC_KEY_ALGORITHMS = List.of(
                "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

        public Jwt {
            requireExp = requireExp == null ? Boolean.TRUE : requireExp;
            clockSkewSeconds = clockSkewSeconds == null ? DEFAULT_SKEW_SECONDS : clockSkewSeconds;
            jwksUrl = blankToNull(jwksUrl);
            issuer = blankToNull(issuer);
            audience = blankToNull(audience);
            algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
            claims = claims == null ? Claims.defaults() : claims;
            if (clockSkewSeconds < 0 || clockSkewSeconds > 300) {
                throw new ConfigException("auth.jwt.clockSkewSeconds", "must be 0..300");
            }
            if (jwksUrl != null && !isHttpUrl(jwksUrl)) {
                throw new ConfigException("auth.jwt.jwksUrl", "must be an http(s) URL");
            }
            int minSecretBytes = MIN_SECRET_BYTES;
            for (String alg : algorithms) {
                if (alg == null || alg.equalsIgnoreCase("none")) {
                    throw new ConfigException("auth.jwt.algorithms", "'none' is never accepted");
                }
                if (HMAC_ALGORITHMS.contains(alg)) {
                    minSecretBytes = Math.max(minSecretBytes, Integer.parseInt(alg.substring(2)) / 8);
                } else if (!PUBLIC_KEY_ALGORITHMS.contains(alg)) {
                    throw new ConfigException("auth.jwt.algorithms", "unknown algorithm '" + alg + "' (known: "
                            + String.join(", ", HMAC_ALGORITHMS) + ", " + String.join(", ", PUBLIC_KEY_ALGORITHMS) + ")");
                } else if (jwksUrl == null) {
                    throw new ConfigException("auth.jwt.algorithms", alg + " verifies with an identity provider's keys: set auth.jwt.jwksUrl");
                }
            }
            // the secret's characters are never part of the message
            if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < minSecretBytes) {
                throw new ConfigException("auth.jwt.secret", "must be at least " + minSecretBytes + " bytes (RFC 7518 §3.2)");
            }
        }

        /** HMAC only: a secret and the timing rules, everything else default. */
        public Jwt(String secret, Boolean requireExp, Long clockSkewSeconds) {
            this(secret, requireExp, clockSkewSeconds, null, null, null, null, null);
        }

        /** A copy with another secret. */
        public Jwt withSecret(String s) {
            return new Jwt(s, requireExp, clockSkewSeconds, jwksUrl, issuer, audience, algorithms, claims);
        }

        /**
         * The {@code alg} values a token may carry: {@link #algorithms()} when set, else HS256 when a secret is
         * set plus RS256 and ES256 when {@code jwksUrl} is set. HMAC ones verify only with the secret, the others
         * only with the identity provider's keys.
         */
        public List<String> allowedAlgorithms() {
            if (!algorithms.isEmpty()) {
                return algorithms;
            }
            List<String> defaults = new ArrayList<>();
            if (secret != null) {
                defaults.add("HS256");
            }
            if (jwksUrl != null) {
                defaults.add("RS256");
                defaults.add("ES256");
            }
            return List.copyOf(defaults);
        }

        private static boolean isHttpUrl(String url) {
            try {
                URI u = new URI(url);
                return ("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
            } catch (URISyntaxException e) {
                return false;
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }

        @Override
        public String toString() {
            return "Jwt[secret=" + (secret == null ? "unset" : "***") + ", requireExp=" + requireExp
                    + ", jwksUrl=" + jwksUrl + ", issuer=" + issuer + ", audience=" + audience
                    + ", algorithms=" + allowedAlgorithms() + "]";
        }
    }

    /**
     * Where Herald finds its claims in a verified token. Each value is a top-level claim name, or a JSON
     * pointer into the claims when it starts with {@code /} ({@code /app_metadata/orgs}).
     *
     * @param userId the user id; the default {@code userId} falls back to {@code sub}
     * @param orgs an object of organization id to roles
     * @param organizationId one organization, the token's own (shorthand with {@code roles})
     * @param roles the roles in {@code organizationId}: an array or one string
     * @param name the display name
     */
    public record Claims(
            @Doc("Claim holding the user id (a name, or a JSON pointer such as /app_metadata/id); falls back to sub.")
            String userId,
            @Doc("Claim holding an object of organization id to roles (a name or a JSON pointer).") String orgs,
            @Doc("Claim holding the token's one organization, used with roles (a name or a JSON pointer).") String organizationId,
            @Doc("Claim holding the roles in organizationId: an array or one string (a name or a JSON pointer).") String roles,
            @Doc("Claim holding the display name (a name or a JSON pointer).") String name) {
        public static final String DEFAULT_USER_ID = "userId";

        public Claims {
            userId = location("userId", userId, DEFAULT_USER_ID);
            orgs = location("orgs", orgs, "orgs");
            organizationId = location("organizationId", organizationId, "organizationId");
            roles = location("roles", roles, "roles");
            name = location("name", name, "name");
        }

        public static Claims defaults() {
            return new Claims(null, null, null, null, null);
        }

        private static String location(String key, String value, String fallback) {
            if (value == null || value.isBlank()) {
                return fallback;
            }
            if (value.equals("/")) {
                throw new ConfigException("auth.jwt.claims." + key, "'/' points at no claim; name one, like /app_metadata/" + key);
            }
            return value.trim();
        }
    }

    /** The session cookie carrying the same JWT. */
    public record Cookie(@Doc("Name of the cookie holding the session JWT.") String name) {
        public static final String DEFAULT_NAME = "herald_session";

        public Cookie {
            name = name == null || name.isBlank() ? DEFAULT_NAME : name;
        }
    }

    /** One API key and the identity it stands for. */
    public record ApiKey(
            @Doc(value = "The key, at least 16 characters; keep it out of the file with a ${VAR} reference.", required = true,
                    example = "${KIOSK_API_KEY}")
            String key,
            @Doc(value = "User id of the identity the key stands for.", required = true, example = "kiosk_lobby") String userId,
            @Doc(value = "Display name of that identity.", example = "Lobby screen") String name,
            @Doc(value = "Organizations of that identity, each with its roles.", key = "organization",
                    example = "{ org_1: [viewer] }")
            Map<String, List<String>> orgs) {
        public ApiKey {
            orgs = orgs == null ? Map.of() : Map.copyOf(orgs);
        }

        @Override
        public String toString() {
            return "ApiKey[userId=" + userId + ", key=***]";
        }
    }
}
