package io.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.AuthConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    private static final String BOT_KEY = "bot-key-0123456789abcdef";
    private static final String CI_KEY = "ci-key-0123456789abcdef";

    private final ApiKeys keys = new ApiKeys(List.of(
            new AuthConfig.ApiKey(BOT_KEY, "bot", "Bot", Map.of("org_1", List.of("owner"), "org_2", List.of("viewer"))),
            new AuthConfig.ApiKey(CI_KEY, "ci", null, null)));

    @Test
    void aConfiguredKeyFindsItsIdentityWithOrgsAndName() {
        Principal p = keys.find(BOT_KEY).orElseThrow();

        assertThat(p.userId()).isEqualTo("bot");
        assertThat(p.orgs()).containsOnly(Map.entry("org_1", List.of("owner")), Map.entry("org_2", List.of("viewer")));
        assertThat(p.displayName()).contains("Bot");
        assertThat(p.defaultOrg()).isNull();
    }

    @Test
    void eachKeyFindsItsOwnIdentity() {
        assertThat(keys.find(CI_KEY)).hasValueSatisfying(p -> {
            assertThat(p.userId()).isEqualTo("ci");
            assertThat(p.orgs()).isEmpty();
            assertThat(p.displayName()).isEmpty();
        });
    }

    @Test
    void anythingButAnExactKeyFindsNothing() {
        assertThat(keys.find("unknown")).isEmpty();
        assertThat(keys.find("")).isEmpty();
        assertThat(keys.find(BOT_KEY.substring(1))).isEmpty();
        assertThat(keys.find(BOT_KEY + " ")).isEmpty();
        assertThat(keys.find(BOT_KEY.toUpperCase())).isEmpty();
    }

    @Test
    void isEmptyTellsWhetherAnyKeyIsConfigured() {
        assertThat(keys.isEmpty()).isFalse();
        assertThat(new ApiKeys(List.of()).isEmpty()).isTrue();
        assertThat(new ApiKeys(List.of()).find(BOT_KEY)).isEmpty();
    }
}
