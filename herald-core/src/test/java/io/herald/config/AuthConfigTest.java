package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
    private static final String KEY = "api-key-0123456789abcdef";

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
        assertThatThrownBy(() -> new AuthConfig.Jwt("s", true, 301L)).hasMessageStartingWith("auth.jwt.clockSkewSeconds:");
        assertThatThrownBy(() -> new AuthConfig.Jwt("s", true, -1L)).hasMessageStartingWith("auth.jwt.clockSkewSeconds:");
        assertThat(new AuthConfig.Jwt("s", false, 0L).clockSkewSeconds()).isZero();
    }

    @Test
    void withJwtSecretKeepsTheOtherJwtSettings() {
        AuthConfig a = new AuthConfig(new AuthConfig.Jwt(null, false, 5L), null, null).withJwtSecret("s3cret");
        assertThat(a.jwt()).isEqualTo(new AuthConfig.Jwt("s3cret", false, 5L));
    }

    @Test
    void aBlankCookieNameFallsBackToTheDefault() {
        assertThat(new AuthConfig.Cookie("  ").name()).isEqualTo("herald_session");
        assertThat(new AuthConfig.Cookie("sid").name()).isEqualTo("sid");
    }

    @Test
    void toStringsHideSecrets() {
        assertThat(new AuthConfig.Jwt("jwt-secret-value", null, null).toString()).doesNotContain("jwt-secret-value");
        assertThat(key(KEY, "u_1").toString()).doesNotContain(KEY).contains("u_1");
        assertThat(AuthConfig.defaults().withApiKeys(List.of(key(KEY, "u_1"))).withJwtSecret("jwt-secret-value").toString())
                .doesNotContain(KEY).doesNotContain("jwt-secret-value");
    }
}
