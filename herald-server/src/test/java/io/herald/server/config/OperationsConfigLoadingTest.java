package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigException;
import io.herald.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logging} and {@code server.drainDelayMs} from the file and the environment. */
class OperationsConfigLoadingTest {
    private static final Map<String, String> SECRETS = Map.of(
            "ACCESS_TOKEN", "operations-loading-access-token-0123",
            "JWT_SECRET", "operations-loading-jwt-secret-012345");

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(SECRETS);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void theLoggingFormatAndLevelComeFromTheEnvironmentOverTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("herald.yaml"), "logging:\n  format: text\n  level: warn\n");

        var fromFile = new ConfigLoader(env()).load(file, null);
        assertThat(fromFile.config().logging().json()).isFalse();
        assertThat(fromFile.config().logging().level()).isEqualTo("warn");

        var fromEnv = new ConfigLoader(env("HERALD_LOGGING_FORMAT", "json", "HERALD_LOGGING_LEVEL", "DEBUG")).load(file, null);
        assertThat(fromEnv.warnings()).isEmpty();
        assertThat(fromEnv.config().logging().json()).isTrue();
        assertThat(fromEnv.config().logging().level()).isEqualTo("debug");
    }

    @Test
    void anUnknownLoggingFormatIsAConfigurationErrorNamingTheKey() {
        assertThatThrownBy(() -> new ConfigLoader(env("HERALD_LOGGING_FORMAT", "xml")).load(null, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("logging.format: ");
    }

    @Test
    void theDrainDelayIsFiveSecondsByDefaultNoneInDevModeAndWhatTheFileOrEnvironmentSays(@TempDir Path dir) throws Exception {
        assertThat(new ConfigLoader(env()).load(null, null).config().server().drainDelayMs()).isEqualTo(ServerConfig.DEFAULT_DRAIN_DELAY_MS);
        assertThat(new ConfigLoader(Map.of()).load(null, null).config().server().drainDelayMs()).as("dev mode: Ctrl-C stops at once").isZero();

        assertThat(new ConfigLoader(Map.of("HERALD_SERVER_DRAIN_DELAY_MS", "2000")).load(null, null).config().server().drainDelayMs())
                .as("dev mode, but asked for").isEqualTo(2000);
        Path file = Files.writeString(dir.resolve("herald.yaml"), "server:\n  drainDelayMs: 15000\n");
        assertThat(new ConfigLoader(env()).load(file, null).config().server().drainDelayMs()).isEqualTo(15000);
        assertThatThrownBy(() -> new ConfigLoader(env("HERALD_SERVER_DRAIN_DELAY_MS", "-1")).load(null, null))
                .hasMessageStartingWith("server.drainDelayMs: ");
    }
}
