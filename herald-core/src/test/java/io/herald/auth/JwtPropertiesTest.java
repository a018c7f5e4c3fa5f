package io.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link JwtVerifier#verify} over tokens a client controls: random text, three random base64url parts,
 * a valid token with one character changed or cut short, and random headers and claims signed with the
 * right secret. Each is refused with 401 {@code invalid_credentials} or, only when untouched, accepted.
 */
class JwtPropertiesTest {
    private static final String SECRET = "jwt-secret-for-property-tests-0123456789";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final JwtVerifier verifier = verifier();
    private final String valid = new JwtSigner(SECRET).sign(Map.of("sub", "u_1", "organizationId", "org_1",
            "roles", java.util.List.of("owner"), "exp", NOW.getEpochSecond() + 3600));

    /** The one place that builds the verifier: HS256 with {@link #SECRET}, exp required, 30 s skew, clock at {@link #NOW}. */
    private static JwtVerifier verifier() {
        return new JwtVerifier(SECRET, true, 30, Clock.fixed(NOW, ZoneOffset.UTC), new ObjectMapper());
    }

    @Property(tries = 10000)
    void anyStringIsRefusedAsInvalidCredentials(@ForAll String anything) {
        assertInvalid(anything);
    }

    @Provide
    Arbitrary<String> jwtShaped() {
        Arbitrary<String> json = Arbitraries.oneOf(
                Arbitraries.of("{\"alg\":\"HS256\"}", "{\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", "{\"alg\":1}",
                        "{}", "[]", "null", "\"HS256\"", "{\"alg\":\"HS256\"", "{\"sub\":\"u\",\"exp\":1e99}"),
                Arbitraries.strings().ofMaxLength(30));
        Arbitrary<String> part = Arbitraries.oneOf(
                json.map(s -> B64.encodeToString(s.getBytes(StandardCharsets.UTF_8))),
                Arbitraries.strings().withChars(TokenTampering.B64_CHARS).ofMaxLength(60),
                Arbitraries.strings().ofMaxLength(10));
        return Combinators.combine(part, part, part, Arbitraries.of(".", "..", "", "=")).as((a, b, c, dot) -> a + "." + b + dot + c);
    }

    @Property(tries = 10000)
    void threeRandomPartsAreRefusedAsInvalidCredentials(@ForAll("jwtShaped") String token) {
        assertInvalid(token);
    }

    @Property(tries = 10000)
    void aValidTokenWithOneCharacterChangedIsNeverAccepted(@ForAll("positions") int position, @ForAll("replacements") char replacement) {
        int at = position % valid.length();
        String tampered = valid.substring(0, at) + replacement + valid.substring(at + 1);
        if (!tampered.equals(valid)) {
            assertInvalid(tampered);
        }
    }

    @Property(tries = 10000)
    void aValidTokenCutShortOrExtendedIsNeverAccepted(@ForAll @IntRange(min = 0, max = 1000) int keep, @ForAll("jwtShaped") String tail) {
        String changed = valid.substring(0, keep % valid.length()) + tail;
        if (!changed.equals(valid)) {
            assertInvalid(changed);
        }
    }

    @Provide
    Arbitrary<Integer> positions() {
        return TokenTampering.positions(valid);
    }

    @Provide
    Arbitrary<Character> replacements() {
        return TokenTampering.replacements();
    }

    @Provide
    Arbitrary<String> claims() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
                Arbitraries.longs().map(Object::toString),
                Arbitraries.of("null", "true", "[]", "{}", "[\"a\",1]", "{\"o\":[\"r\",2]}", "{\"o\":\"r\"}", "1e400", "-1e400",
                        "99999999999999999999999", "-99999999999999999999999", "1.5", "NaN", "\"", "{\"a\":"));
        Arbitrary<String> field = Combinators.combine(
                Arbitraries.of("sub", "userId", "orgs", "organizationId", "roles", "name", "exp", "nbf", "iat", "x"), value)
                .as((k, v) -> "\"" + k + "\":" + v);
        return Arbitraries.oneOf(field.list().ofMaxSize(8).map(fs -> "{" + String.join(",", fs) + "}"), Arbitraries.strings().ofMaxLength(30));
    }

    @Property(tries = 10000)
    void randomClaimsSignedWithTheSecretAreAcceptedOrRefusedAsInvalidCredentials(@ForAll("claims") String claimsJson) {
        String signingInput = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        String token = signingInput + "." + B64.encodeToString(hs256(signingInput));
        Throwable t = catchThrowable(() -> verifier.verify(token));
        if (t != null) {
            assertThat(t).isInstanceOf(HeraldException.class);
            assertThat(((HeraldException) t).code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
        }
    }

    private static byte[] hs256(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertInvalid(String token) {
        Throwable t = catchThrowable(() -> verifier.verify(token));
        assertThat(t).as("verify(%s)", token).isInstanceOf(HeraldException.class);
        assertThat(((HeraldException) t).code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
    }
}
