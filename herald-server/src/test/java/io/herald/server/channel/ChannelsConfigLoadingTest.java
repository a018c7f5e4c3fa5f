package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ChannelsConfig;
import io.herald.config.ConfigException;
import io.herald.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code channels:} section of herald.yaml as docs/channels.md documents it: keys, defaults, env overrides, errors. */
class ChannelsConfigLoadingTest {
    /** The example of docs/channels.md, section 2. */
    private static final String DOCUMENTED = """
            channels:
              pattern: "^[a-zA-Z0-9:_.-]{1,128}$"
              allow:
                - "team:{org}:*"
                - "member:{user}:notify"
              public: ["status:*"]
              maxSubscribersPerChannel: 1000
              heartbeatMs: 30000
              replayBufferSize: 50
              durable: false
              idleEvictMs: 60000
              maxChannels: 10000
            """;

    @TempDir
    Path dir;

    private ChannelsConfig load(String yaml, String... env) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, yaml);
        Map<String, String> vars = new HashMap<>(Map.of("ACCESS_TOKEN", "config-access-token-0123456789abcd",
                "JWT_SECRET", "config-jwt-secret-0123456789abcdef"));
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        return new ConfigLoader(vars).load(file, null).config().channels();
    }

    @Test
    void theDocumentedSectionBindsEveryKey() throws IOException {
        ChannelsConfig c = load(DOCUMENTED.replace("durable: false", "durable: true").replace("heartbeatMs: 30000", "heartbeatMs: 15000"));

        assertThat(c.pattern()).isEqualTo(ChannelsConfig.DEFAULT_PATTERN);
        assertThat(c.allow()).containsExactly("team:{org}:*", "member:{user}:notify");
        assertThat(c.publicChannels()).containsExactly("status:*");
        assertThat(c.heartbeatMs()).isEqualTo(15_000);
        assertThat(c.durable()).isTrue();
    }

    @Test
    void theDocumentedValuesAreTheDefaults() throws IOException {
        ChannelsConfig documented = load(DOCUMENTED);
        ChannelsConfig none = load("server:\n  port: 8080\n");

        assertThat(none).isEqualTo(ChannelsConfig.defaults());
        assertThat(documented.withRules(List.of(), List.of())).isEqualTo(none);
        assertThat(none.maxSubscribersPerChannel()).isEqualTo(1000);
        assertThat(none.heartbeatMs()).isEqualTo(30_000);
        assertThat(none.replayBufferSize()).isEqualTo(50);
        assertThat(none.durable()).isFalse();
        assertThat(none.idleEvictMs()).isEqualTo(60_000);
        assertThat(none.maxChannels()).isEqualTo(10_000);
        assertThat(none.allow()).isEmpty();
        assertThat(none.publicChannels()).isEmpty();
    }

    @Test
    void everyKeyCanBeOverriddenFromTheEnvironment() throws IOException {
        ChannelsConfig c = load(DOCUMENTED,
                "HERALD_CHANNELS_HEARTBEAT_MS", "5000",
                "HERALD_CHANNELS_DURABLE", "true",
                "HERALD_CHANNELS_MAX_CHANNELS", "20",
                "HERALD_CHANNELS_ALLOW", "team:{org}:*,ops:*",
                "HERALD_CHANNELS_PUBLIC", "status:*,pub:*");

        assertThat(c.heartbeatMs()).isEqualTo(5000);
        assertThat(c.durable()).isTrue();
        assertThat(c.maxChannels()).isEqualTo(20);
        assertThat(c.allow()).containsExactly("team:{org}:*", "ops:*");
        assertThat(c.publicChannels()).containsExactly("status:*", "pub:*");
    }

    @Test
    void anUnknownKeyIsAStartUpErrorNamingIt() {
        assertThatThrownBy(() -> load("channels:\n  replayBuffer: 10\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("channels.replayBuffer");
    }

    @Test
    void invalidValuesAreStartUpErrorsNamingTheKey() {
        assertThatThrownBy(() -> load("channels:\n  replayBufferSize: -1\n")).hasMessageContaining("channels.replayBufferSize");
        assertThatThrownBy(() -> load("channels:\n  maxSubscribersPerChannel: 0\n"))
                .hasMessageContaining("channels.maxSubscribersPerChannel");
        assertThatThrownBy(() -> load("channels:\n  heartbeatMs: 0\n")).hasMessageContaining("channels.heartbeatMs");
        assertThatThrownBy(() -> load("channels:\n  pattern: \"([\"\n")).hasMessageContaining("channels.pattern");
        assertThatThrownBy(() -> load("channels:\n  allow: [\"team:{team}:*\"]\n")).hasMessageContaining("channels.allow[0]");
        assertThatThrownBy(() -> load("channels:\n  public: [\"a b\"]\n")).hasMessageContaining("channels.public[0]");
    }
}
