package io.herald.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Signs HS256 JWTs. Herald itself only verifies them; this exists for embedders, the dev server's
 * example token and tests. Thread-safe.
 */
public final class JwtSigner {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private final Hmac hmac;
    private final ObjectMapper json = new ObjectMapper();

    public JwtSigner(String secret) {
        this.hmac = new Hmac(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A compact JWS of {@code claims} signed with HS256. */
    public String sign(Map<String, ?> claims) {
        try {
            String payload = B64.encodeToString(json.writeValueAsBytes(claims));
            String input = HEADER + "." + payload;
            return input + "." + B64.encodeToString(hmac.sign(input));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims are not serialisable", e);
        }
    }
}
