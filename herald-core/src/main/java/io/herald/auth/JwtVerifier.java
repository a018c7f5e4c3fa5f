package io.herald.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.AuthConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies session JWTs and turns their claims into a {@link Principal}. HMAC algorithms verify only with the
 * shared secret, RSA and EC ones only with the identity provider's keys from a {@link JwksCache}; an {@code alg}
 * outside the allow-list (always including {@code none}) is refused, so a token cannot choose how it is checked.
 * Never blocks: keys come from memory. Thread-safe.
 *
 * <p>Claims are read as {@link AuthConfig.Claims} says, by default: user id from {@code userId}, else {@code sub};
 * orgs from {@code orgs} (object orgId → roles) or the shorthand {@code organizationId} + {@code roles};
 * {@code name} when present.
 */
public final class JwtVerifier {
    private static final java.util.Base64.Decoder B64URL_DECODER = java.util.Base64.getUrlDecoder();
    private static final java.util.Base64.Encoder B64URL_ENCODER = java.util.Base64.getUrlEncoder().withoutPadding();
    private static final int MAX_TOKEN_CHARS = 8192;

    private final Set<JWSAlgorithm> allowed;
    private final Key secret;
    private final JwksCache jwks;
    private final JWSKeySelector<SecurityContext> publicKeys;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final ClaimsReader claims;
    private final ObjectMapper json;
    private final boolean requireExp;

    /** An HS256-only verifier with default claims, for embedders and tests. */
    public JwtVerifier(String secret, boolean requireExp, long skewSeconds, Clock clock, ObjectMapper json) {
        this(requireSecret(secret, requireExp, skewSeconds), null, clock, json);
    }

    /**
     * A verifier of {@code config}.
     *
     * @param jwks the identity provider's keys, required when {@code config.jwksUrl()} is set, else null
     * @throws IllegalArgumentException when neither a secret nor a key set is given
     */
    public JwtVerifier(AuthConfig.Jwt config, JwksCache jwks, Clock clock, ObjectMapper json) {
        if (config.secret() == null && jwks == null) {
            throw new IllegalArgumentException("a JWT secret or a JWKS is required");
        }
        this.allowed = config.allowedAlgorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
        this.secret = config.secret() == null ? null
                : new SecretKeySpec(config.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.jwks = jwks;
        Set<JWSAlgorithm> publicKeyAlgorithms = new HashSet<>(allowed);
        publicKeyAlgorithms.removeAll(JWSAlgorithm.Family.HMAC_SHA);
        JWKSource<SecurityContext> cached = (selector, context) -> selector.select(jwks.keys().orElseGet(JWKSet::new));
        this.publicKeys = jwks == null || publicKeyAlgorithms.isEmpty() ? null
                : new JWSVerificationKeySelector<>(publicKeyAlgorithms, cached);
        this.claims = new ClaimsReader(config.claims(), json);
        this.json = json;
        this.requireExp = config.requireExp();
        processor.setJWSKeySelector(this::keys);
        // any typ: providers send JWT, at+jwt or nothing, and the signature already binds the header
        processor.setJWSTypeVerifier((type, context) -> { });
        processor.setJWTClaimsSetVerifier(claimsVerifier(config, clock));
    }

    private static AuthConfig.Jwt requireSecret(String secret, boolean requireExp, long skewSeconds) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a JWT secret is required");
        }
        return new AuthConfig.Jwt(secret, requireExp, skewSeconds);
    }

    private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier(AuthConfig.Jwt config, Clock clock) {
        Set<String> required = new HashSet<>();
        if (config.requireExp()) {
            required.add("exp");
        }
        JWTClaimsSet exact = config.issuer() == null ? null : new JWTClaimsSet.Builder().issuer(config.issuer()).build();
        Set<String> audience = config.audience() == null ? null : Set.of(config.audience());
        var verifier = new DefaultJWTClaimsVerifier<SecurityContext>(audience, exact, required, null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        verifier.setMaxClockSkew(Math.toIntExact(config.clockSkewSeconds()));
        return verifier;
    }

    /**
     * Verifies {@code token} and returns its principal.
     *
     * @throws HeraldException 401 {@code invalid_credentials} for a malformed, forged, expired or not-yet-valid
     *     token, or one signed by a key the provider's set does not hold; 503 {@code auth_unavailable} for a
     *     token to check with the provider's keys when none has ever been fetched
     */
    public Principal verify(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw invalid("malformed token");
        }
        if (!canonicalBase64Url(token)) {
            // a base64url decoder ignores the unused low bits of a part's last character, so a signature with
            // that character changed would still verify: only the one canonical spelling of each part is taken
            throw invalid("malformed token");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
            if (!allowed.contains(jwt.getHeader().getAlgorithm())) {
                throw invalid("unsupported alg");
            }
            jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            // nimbus throws unchecked exceptions on some malformed headers ("null" as the header JSON)
            if (e instanceof HeraldException he) {
                throw he;
            }
            throw invalid("malformed token");
        }
        try {
            processor.process(jwt, null);
        } catch (ExpiredJWTException e) {
            throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The token has expired.");
        } catch (BadJWSException e) {
            throw invalid("bad signature");
        } catch (BadJWTException e) {
            throw invalid(reason(e));
        } catch (BadJOSEException | JOSEException e) {
            throw invalid("bad signature");
        }
        if (requireExp && exp(jwt) == null) {
            // nimbus counts "exp": null as present
            throw invalid("exp is required");
        }
        return claims.principal(payload(jwt));
    }

    /** Whether each of the token's dot-separated parts is base64url without padding, spelled canonically. */
    private static boolean canonicalBase64Url(String token) {
        int start = 0;
        while (start <= token.length()) {
            int end = token.indexOf('.', start);
            end = end < 0 ? token.length() : end;
            String part = token.substring(start, end);
            try {
                byte[] bytes = B64URL_DECODER.decode(part);
                if (!B64URL_ENCODER.encodeToString(bytes).equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    private static Date exp(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet().getExpirationTime();
        } catch (ParseException e) {
            return null;
        }
    }

    /** Nimbus's claim messages name the rule broken, never a value; these say it shorter. */
    private static String reason(BadJWTException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("before use time")) {
            return "token not valid yet";
        }
        if (m.contains("missing required claims")) {
            return m.substring(m.indexOf("missing required claims")).replace("claims:", "claims");
        }
        if (m.contains(" aud ")) {
            return "wrong audience";
        }
        if (m.contains(" iss ")) {
            return "wrong issuer";
        }
        return "claims rejected";
    }

    /** The verified payload as Jackson reads it, so raw claims keep the types they always had. */
    private ObjectNode payload(SignedJWT jwt) {
        try {
            JsonNode node = json.readTree(jwt.getPayload().toBytes());
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            // fall through: nimbus parsed it, so this does not happen
        }
        throw invalid("claims are not an object");
    }

    /** Called by the processor once the header's alg is known to be allowed. */
    private List<? extends Key> keys(JWSHeader header, SecurityContext context) throws KeySourceException {
        if (JWSAlgorithm.Family.HMAC_SHA.contains(header.getAlgorithm())) {
            // the secret whatever the kid: a provider may name its HMAC key
            return secret == null ? List.of() : List.of(secret);
        }
        if (publicKeys == null) {
            return List.of();
        }
        if (jwks.keys().isEmpty()) {
            jwks.refreshForUnknownKey();
            // thrown through the processor on purpose: a token must not be accepted, nor called forged, while
            // the provider's keys have never been fetched
            throw new HeraldException(ErrorCode.AUTH_UNAVAILABLE);
        }
        List<? extends Key> found = publicKeys.selectJWSKeys(header, context);
        if (found.isEmpty()) {
            jwks.refreshForUnknownKey();
            throw invalid("unknown signing key");
        }
        return found;
    }

    private static HeraldException invalid(String why) {
        return new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The token is invalid (" + why + ").");
    }

}
