package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
    private static final String KEY = "api-key-0123456789abcdef";
    private static final String SECRET = "jwt-secret-for-config-tests-0123456789";
    private static final String JWKS = "https://issuer.example/.well-known/jwks.json";

    private static AuthConfig.Jwt jwt(String secret, String jwksUrl, List<String> algorithms) {
        return new AuthConfig.Jwt(secret, null, null, jwksUrl, null, null, algorithms, null);
    }

    private static AuthConfig.ApiKey key(String key, String userId) {
        return new AuthConfig.ApiKey(key, userId, null, Map.of("org_1", List.of("owner")));
    }

    @Test
    void anApiKeyShorterThanSixteenCharactersIsRefusedWithItsIndex() {
        assertThatThrownBy(() -> AuthConfig.defaults().withApiKeys(List.of(key(KEY, "u_1"), key("short-key", "u_2"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("auth.apiKeys[1].key:");
        assertThatThrownBy(() -> AuthConfig.defaults().withApiKeys(List.of(key(null, "u_1"))))
                .hasMessageStartingWith("auth.apiKeys[0].key:");
    }

    @Test
    void aDuplicateApiKeyIsRefusedAtItsSecondOccurrence() {
        assertThatThrownBy(() -> AuthConfig.defaults().withApiKeys(List.of(key(KEY, "u_1"), key(KEY, "u_2"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("auth.apiKeys[1].key: is a duplicate");
    }

    @Test
    void anApiKeyWithoutUserIdIsRefused() {
        assertThatThrownBy(() -> AuthConfig.defaults().withApiKeys(List.of(key(KEY, " "))))
                .hasMessageStartingWith("auth.apiKeys[0].userId:");
    }

    @Test
    void validApiKeysAreKeptWithTheirOrgs() {
        AuthConfig a = AuthConfig.defaults().withApiKeys(List.of(key(KEY, "u_1")));
        assertThat(a.apiKeys()).singleElement().satisfies(k -> {
            assertThat(k.userId()).isEqualTo("u_1");
            assertThat(k.orgs()).containsEntry("org_1", List.of("owner"));
        });
        assertThat(new AuthConfig.ApiKey(KEY, "u", null, null).orgs()).isEmpty();
    }

    @Test
    void theClockSkewIsZeroTo300Seconds() {
        assertThatThrownBy(() -> new AuthConfig.Jwt(SECRET, true, 301L)).hasMessageStartingWith("auth.jwt.clockSkewSeconds:");
        assertThatThrownBy(() -> new AuthConfig.Jwt(SECRET, true, -1L)).hasMessageStartingWith("auth.jwt.clockSkewSeconds:");
        assertThat(new AuthConfig.Jwt(SECRET, false, 0L).clockSkewSeconds()).isZero();
    }

    @Test
    void withJwtSecretKeepsTheOtherJwtSettings() {
        AuthConfig a = new AuthConfig(new AuthConfig.Jwt(null, false, 5L), null, null).withJwtSecret("s3cret-0123456789abcdef0123456789");
        assertThat(a.jwt()).isEqualTo(new AuthConfig.Jwt("s3cret-0123456789abcdef0123456789", false, 5L));
    }

    @Test
    void aBlankCookieNameFallsBackToTheDefault() {
        assertThat(new AuthConfig.Cookie("  ").name()).isEqualTo("herald_session");
        assertThat(new AuthConfig.Cookie("sid").name()).isEqualTo("sid");
    }

    @Test
    void toStringsHideSecrets() {
        assertThat(new AuthConfig.Jwt("jwt-secret-value-0123456789abcdef", null, null).toString()).doesNotContain("jwt-secret-value-0123456789abcdef");
        assertThat(key(KEY, "u_1").toString()).doesNotContain(KEY).contains("u_1");
        assertThat(AuthConfig.defaults().withApiKeys(List.of(key(KEY, "u_1"))).withJwtSecret("jwt-secret-value-0123456789abcdef").toString())
                .doesNotContain(KEY).doesNotContain("jwt-secret-value-0123456789abcdef");
    }

    @Test
    void aJwtSecretShorterThan32BytesIsRefusedNamingTheKeyWithoutEchoingIt() {
        assertThatThrownBy(() -> AuthConfig.defaults().withJwtSecret("x"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("auth.jwt.secret: must be at least 32 bytes (RFC 7518 §3.2)");
        String almost = "a".repeat(31);
        assertThatThrownBy(() -> new AuthConfig.Jwt(almost, null, null)).hasMessageNotContaining(almost);
        assertThat(new AuthConfig.Jwt("a".repeat(32), null, null).secret()).hasSize(32);
    }

    @Test
    void theSecretLengthCountsUtf8BytesAndGrowsWithTheLongestHmacAllowed() {
        assertThat(new AuthConfig.Jwt("é".repeat(16), null, null).secret()).hasSize(16);
        assertThatThrownBy(() -> jwt("a".repeat(32), null, List.of("HS256", "HS512")))
                .hasMessage("auth.jwt.secret: must be at least 64 bytes (RFC 7518 §3.2)");
        assertThat(jwt("a".repeat(64), null, List.of("HS512")).allowedAlgorithms()).containsExactly("HS512");
    }

    @Test
    void unknownAlgorithmNamesAndNoneAreRefusedNamingTheAlgorithmsKey() {
        assertThatThrownBy(() -> jwt(SECRET, JWKS, List.of("RS256", "RS257")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("auth.jwt.algorithms: unknown algorithm 'RS257'");
        assertThatThrownBy(() -> jwt(SECRET, JWKS, List.of("none"))).hasMessageStartingWith("auth.jwt.algorithms:");
        assertThatThrownBy(() -> jwt(SECRET, JWKS, List.of("hs256"))).hasMessageStartingWith("auth.jwt.algorithms:");
    }

    @Test
    void publicKeyAlgorithmsNeedAJwksUrl() {
        assertThatThrownBy(() -> jwt(SECRET, null, List.of("RS256")))
                .hasMessageStartingWith("auth.jwt.algorithms: RS256")
                .hasMessageContaining("auth.jwt.jwksUrl");
    }

    @Test
    void theDefaultAllowListFollowsWhichKeysAreConfigured() {
        assertThat(jwt(SECRET, null, null).allowedAlgorithms()).containsExactly("HS256");
        assertThat(jwt(null, JWKS, null).allowedAlgorithms()).containsExactly("RS256", "ES256");
        assertThat(jwt(SECRET, JWKS, null).allowedAlgorithms()).containsExactly("HS256", "RS256", "ES256");
        assertThat(jwt(SECRET, JWKS, List.of("ES256")).allowedAlgorithms()).containsExactly("ES256");
    }

    @Test
    void aJwksUrlMustBeHttpAndAClaimPointerMustParse() {
        assertThatThrownBy(() -> jwt(null, "file:///etc/jwks.json", null)).hasMessageStartingWith("auth.jwt.jwksUrl:");
        assertThatThrownBy(() -> new AuthConfig.Claims(null, "/", null, null, null))
                .hasMessageStartingWith("auth.jwt.claims.orgs:");
        AuthConfig.Claims c = new AuthConfig.Claims("sub", "/app_metadata/orgs", null, " ", null);
        assertThat(c).isEqualTo(new AuthConfig.Claims("sub", "/app_metadata/orgs", "organizationId", "roles", "name"));
    }
}
