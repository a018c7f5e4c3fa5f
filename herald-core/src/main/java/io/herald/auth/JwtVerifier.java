package io.herald.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies HS256 JWTs and turns their claims into a {@link Principal}. Any other {@code alg}
 * (none, RS256, HS512 …) is refused, so a token cannot choose how it is checked. Thread-safe.
 *
 * <p>Claims: user id from {@code userId}, else {@code sub}; orgs from {@code orgs} (object orgId →
 * roles) or the shorthand {@code organizationId} + {@code roles}; {@code name} when present.
 */
public final class JwtVerifier {
    private static final int MAX_TOKEN_CHARS = 8192;
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();

    private final Hmac hmac;
    private final boolean requireExp;
    private final long skewSeconds;
    private final Clock clock;
    private final ObjectMapper json;

    public JwtVerifier(String secret, boolean requireExp, long skewSeconds, Clock clock, ObjectMapper json) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a JWT secret is required");
        }
        this.hmac = new Hmac(secret.getBytes(StandardCharsets.UTF_8));
        this.requireExp = requireExp;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
        this.json = json;
    }

    /**
     * Verifies {@code token} and returns its principal.
     *
     * @throws HeraldException 401 {@code invalid_credentials} for a malformed, forged, expired or not-yet-valid token
     */
    public Principal verify(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw invalid("malformed token");
        }
        int d1 = token.indexOf('.');
        int d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
        if (d1 <= 0 || d2 <= d1 + 1 || token.indexOf('.', d2 + 1) >= 0 || d2 == token.length() - 1) {
            throw invalid("malformed token");
        }
        JsonNode header = decodeJson(token.substring(0, d1));
        if (!header.isObject() || !"HS256".equals(header.path("alg").asText(null)) || header.has("crit")) {
            throw invalid("unsupported alg");
        }
        byte[] signature = decode(token.substring(d2 + 1));
        byte[] signingInput = token.substring(0, d2).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(signature, hmac.sign(signingInput, 0, signingInput.length))) {
            throw invalid("bad signature");
        }
        JsonNode claims = decodeJson(token.substring(d1 + 1, d2));
        if (!claims.isObject()) {
            throw invalid("claims are not an object");
        }
        checkTimes(claims);
        return toPrincipal((ObjectNode) claims);
    }

    private void checkTimes(JsonNode claims) {
        long now = clock.instant().getEpochSecond();
        JsonNode exp = claims.get("exp");
        if (exp == null || exp.isNull()) {
            if (requireExp) {
                throw invalid("exp is required");
            }
        } else if (!exp.isNumber()) {
            throw invalid("exp is not a number");
        } else if (now > exp.asLong() + skewSeconds) {
            throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The token has expired.");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && !nbf.isNull()) {
            if (!nbf.isNumber() || now + skewSeconds < nbf.asLong()) {
                throw invalid("token not valid yet");
            }
        }
    }

    private Principal toPrincipal(ObjectNode claims) {
        String userId = text(claims.get("userId"));
        if (userId == null) {
            userId = text(claims.get("sub"));
        }
        userId = userId == null ? null : userId.trim();
        if (userId == null || userId.isEmpty()) {
            throw invalid("no user id (userId or sub)");
        }
        Map<String, List<String>> orgs = new LinkedHashMap<>();
        JsonNode orgsNode = claims.get("orgs");
        if (orgsNode != null && orgsNode.isObject()) {
            orgsNode.fields().forEachRemaining(e -> orgs.put(e.getKey(), roles(e.getValue())));
        }
        String defaultOrg = text(claims.get("organizationId"));
        if (defaultOrg != null && !orgs.containsKey(defaultOrg)) {
            orgs.put(defaultOrg, roles(claims.get("roles")));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = json.convertValue(claims, Map.class);
        return new Principal(userId, orgs, defaultOrg, text(claims.get("name")), raw);
    }

    private static List<String> roles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(r -> {
                if (r.isTextual()) {
                    roles.add(r.asText());
                }
            });
        } else if (node != null && node.isTextual()) {
            roles.add(node.asText());
        }
        return List.copyOf(roles);
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private JsonNode decodeJson(String part) {
        try {
            return json.readTree(decode(part));
        } catch (java.io.IOException e) {
            throw invalid("malformed token");
        }
    }

    private static byte[] decode(String part) {
        try {
            return B64.decode(part);
        } catch (IllegalArgumentException e) {
            throw invalid("malformed token");
        }
    }

    private static HeraldException invalid(String why) {
        return new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The token is invalid (" + why + ").");
    }
}
