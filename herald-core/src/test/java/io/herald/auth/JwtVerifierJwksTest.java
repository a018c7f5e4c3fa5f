package io.herald.auth;

import io.herald.MutableClock;
import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.herald.ErrorCode;
import io.herald.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link JwtVerifier} with an identity provider's keys served over real HTTP by a loopback JWKS endpoint. */
class JwtVerifierJwksTest {
    private static final String SECRET = "jwt-secret-for-jwks-tests-0123456789abcdef";
    private static final String ISSUER = "https://issuer.example/";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static RSAKey rsa;
    private static RSAKey rotated;
    private static ECKey ec;

    private final MutableClock clock = new MutableClock(NOW);
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void keys() throws JOSEException {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private JwksServer provider(com.nimbusds.jose.jwk.JWK... keys) {
        JwksServer s = new JwksServer(keys);
        closing.add(s);
        return s;
    }

    private JwksCache cache(JwksServer provider) {
        // no periodic refresh during a test: only start and unknown keys fetch
        JwksCache c = new JwksCache(provider.url(), Duration.ofHours(1), Duration.ofSeconds(30), clock);
        closing.add(c);
        c.start();
        await().until(() -> c.fetches() >= 1);
        return c;
    }

    private static AuthConfig.Jwt config(String secret, List<String> algorithms) {
        return new AuthConfig.Jwt(secret, true, 30L, "https://issuer.example/.well-known/jwks.json", ISSUER, "herald",
                algorithms, null);
    }

    private JwtVerifier verifier(JwksCache cache) {
        return new JwtVerifier(config(SECRET, null), cache, clock, json);
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject("u_1").issuer(ISSUER).audience("herald")
                .expirationTime(Date.from(NOW.plusSeconds(300))).claim("orgs", Map.of("org_1", List.of("owner")));
    }

    private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.RS256, key.getKeyID(), new RSASSASigner(key), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rs256AndEs256TokensSignedByKeysInTheSetAreAccepted() throws JOSEException {
        JwtVerifier verifier = verifier(cache(provider(rsa, ec)));

        Principal p = verifier.verify(rs256(rsa, claims().build()));
        assertThat(p.userId()).isEqualTo("u_1");
        assertThat(p.rolesIn("org_1")).containsExactly("owner");
        assertThat(verifier.verify(sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), claims().build())).userId())
                .isEqualTo("u_1");
    }

    @Test
    void aKeyRotatedInAtTheProviderIsAcceptedAfterTheRefreshItsUnknownKidAskedFor() {
        JwksServer provider = provider(rsa);
        JwksCache cache = cache(provider);
        JwtVerifier verifier = verifier(cache);
        String fromNewKey = rs256(rotated, claims().build());

        provider.serve(rotated);
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(fromNewKey));
        await().until(() -> cache.fetches() >= 2);

        assertThat(verifier.verify(fromNewKey).userId()).isEqualTo("u_1");
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rsa, claims().build())));
    }

    @Test
    void aTokenWhoseKidTheProviderDoesNotPublishIsRefused() {
        JwtVerifier verifier = verifier(cache(provider(rsa)));
        assertThat(assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rotated, claims().build())))
                .getMessage()).contains("unknown signing key");
    }

    @Test
    void expiredWrongIssuerAndWrongAudienceTokensAreRefused() {
        JwtVerifier verifier = verifier(cache(provider(rsa)));

        assertThat(assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rsa,
                claims().expirationTime(Date.from(NOW.minusSeconds(31))).build()))).getMessage()).contains("expired");
        assertThat(assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rsa,
                claims().issuer("https://evil.example/").build()))).getMessage()).contains("issuer");
        assertThat(assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rsa,
                claims().audience("someone-else").build()))).getMessage()).contains("audience");
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rsa, claims().audience((String) null).build())));
    }

    @Test
    void anHs256TokenSignedWithTheProvidersPublicKeyAsHmacSecretIsRefused() throws JOSEException {
        JwtVerifier verifier = verifier(cache(provider(rsa)));
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";

        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII), rsa.toRSAPublicKey().getEncoded(),
                rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
            String confused = sign(JWSAlgorithm.HS256, "rsa-1", new MACSigner(secret), claims().build());
            assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(confused));
        }
        // the same verifier does take HS256 signed with the configured secret
        assertThat(verifier.verify(sign(JWSAlgorithm.HS256, null, new MACSigner(SECRET), claims().build())).userId())
                .isEqualTo("u_1");
    }

    @Test
    void anUnsecuredAlgNoneTokenIsRefused() {
        JwtVerifier verifier = verifier(cache(provider(rsa)));
        String unsecured = new PlainJWT(claims().build()).serialize();
        String signed = rs256(rsa, claims().build());
        String noneWithSignature = unsecured.substring(0, unsecured.indexOf('.'))
                + signed.substring(signed.indexOf('.'));

        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(unsecured));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(noneWithSignature));
    }

    @Test
    void anRs256TokenIsRefusedWhenOnlyHs256IsAllowed() {
        JwksCache cache = cache(provider(rsa));
        JwtVerifier hmacOnly = new JwtVerifier(config(SECRET, List.of("HS256")), cache, clock, json);
        JwtVerifier secretOnly = new JwtVerifier(SECRET, true, 30, clock, json);
        String token = rs256(rsa, claims().build());

        assertThat(assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> hmacOnly.verify(token)).getMessage()).contains("alg");
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> secretOnly.verify(token));
    }

    @Test
    void cachedKeysKeepWorkingWhenTheProviderGoesDownAfterAFetch() {
        JwksServer provider = provider(rsa);
        JwksCache cache = cache(provider);
        JwtVerifier verifier = verifier(cache);
        assertThat(verifier.verify(rs256(rsa, claims().build())).userId()).isEqualTo("u_1");

        provider.down(true);
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(rs256(rotated, claims().build())));
        await().until(() -> cache.fetches() >= 2);

        assertThat(provider.requests()).isEqualTo(2);
        assertThat(verifier.verify(rs256(rsa, claims().build())).userId()).isEqualTo("u_1");
    }

    @Test
    void whileNoKeySetWasEverFetchedProviderTokensGetAuthUnavailableNeverAcceptance() {
        JwksServer provider = provider(rsa);
        provider.down(true);
        JwksCache cache = cache(provider);
        JwtVerifier verifier = verifier(cache);

        assertThat(cache.keys()).isEmpty();
        assertRefused(ErrorCode.AUTH_UNAVAILABLE, () -> verifier.verify(rs256(rsa, claims().build())));
        // a forged token is no better off
        assertRefused(ErrorCode.AUTH_UNAVAILABLE, () -> verifier.verify(rs256(rotated, claims().build())));
    }

    @Test
    void aProviderThatComesBackIsUsedOnTheNextRefresh() {
        JwksServer provider = provider(rsa);
        provider.down(true);
        JwksCache cache = cache(provider);
        JwtVerifier verifier = verifier(cache);
        String token = rs256(rsa, claims().build());

        provider.down(false);
        assertRefused(ErrorCode.AUTH_UNAVAILABLE, () -> verifier.verify(token));
        await().until(() -> cache.keys().isPresent());

        assertThat(verifier.verify(token).userId()).isEqualTo("u_1");
    }

    @Test
    void unknownKidsAskForAtMostOneRefreshPerThirtySeconds() {
        JwksServer provider = provider(rsa);
        JwksCache cache = cache(provider);
        JwtVerifier verifier = verifier(cache);
        String unknown = rs256(rotated, claims().build());

        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(unknown));
        await().until(() -> cache.fetches() >= 2);
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(unknown));
        }
        assertThat(cache.unknownKeyRefreshes()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(10));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> verifier.verify(unknown));
        assertThat(cache.unknownKeyRefreshes()).isEqualTo(2);
        await().until(() -> cache.fetches() >= 3);
        assertThat(provider.requests()).isEqualTo(3);
    }
}
