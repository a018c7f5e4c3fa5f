package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin.enabled}: on by default only in dev mode (secrets generated), and settable either way. */
class AdminConfigLoadingTest {
    private static final Map<String, String> SECRETS = Map.of(
            "ACCESS_TOKEN", "admin-loading-access-token-0123456789",
            "JWT_SECRET", "admin-loading-jwt-secret-0123456789ab");

    @Test
    void theAdminPageIsOnByDefaultInDevModeAndOffWhenTheSecretsAreGiven() {
        ConfigLoader.Loaded dev = new ConfigLoader(Map.of()).load(null, null);
        assertThat(dev.devMode()).isTrue();
        assertThat(dev.config().admin().enabled()).isTrue();

        ConfigLoader.Loaded given = new ConfigLoader(SECRETS).load(null, null);
        assertThat(given.devMode()).isFalse();
        assertThat(given.config().admin().enabled()).isFalse();
    }

    @Test
    void theFileOrTheEnvironmentDecidesWhenItSaysSo(@TempDir Path dir) throws Exception {
        Path off = Files.writeString(dir.resolve("off.yaml"), "admin:\n  enabled: false\n");
        assertThat(new ConfigLoader(Map.of()).load(off, null).config().admin().enabled()).isFalse();

        Map<String, String> env = new java.util.HashMap<>(SECRETS);
        env.put("HERALD_ADMIN_ENABLED", "true");
        assertThat(new ConfigLoader(env).load(null, null).config().admin().enabled()).isTrue();
    }
}
