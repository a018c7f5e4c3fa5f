package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerConfigTest {
    private static ServerConfig withOrigins(String... origins) {
        return ServerConfig.defaults().withAllowedOrigins(List.of(origins));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, 100_000})
    void aPortOutsideZeroTo65535IsRefusedNamingServerPort(int port) {
        assertThatThrownBy(() -> ServerConfig.defaults().withPort(port))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.port:")
                .hasMessageContaining(String.valueOf(port));
    }

    @Test
    void portZeroAndTheExtremesAreAccepted() {
        assertThat(ServerConfig.defaults().withPort(0).port()).isZero();
        assertThat(ServerConfig.defaults().withPort(65535).port()).isEqualTo(65535);
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.example.com", "https://app.example.com/", "https://app.example.com/path", "ftp://x.com",
                            "https://", "https://a b.com", "*.example.com"})
    void anOriginThatIsNotSchemeAndHostIsRefusedNamingAllowedOrigins(String origin) {
        assertThatThrownBy(() -> withOrigins("https://ok.example.com", origin))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.allowedOrigins:")
                .hasMessageContaining(origin);
    }

    @Test
    void originsWithPortsAndTheWildcardAreAccepted() {
        assertThat(withOrigins("http://localhost:3000", "https://app.example.com", "*").allowedOrigins()).hasSize(3);
    }

    @Test
    void allowsOriginMatchesExactlyOrByWildcard() {
        ServerConfig s = withOrigins("https://app.example.com");

        assertThat(s.allowsOrigin("https://app.example.com")).isTrue();
        assertThat(s.allowsOrigin("https://APP.example.com")).isFalse();
        assertThat(s.allowsOrigin("http://app.example.com")).isFalse();
        assertThat(s.allowsOrigin("https://app.example.com:443")).isFalse();
        assertThat(s.allowsOrigin(null)).isFalse();
        assertThat(withOrigins("*").allowsOrigin("https://anything.net")).isTrue();
        assertThat(withOrigins("*").allowsOrigin(null)).isFalse();
        assertThat(ServerConfig.defaults().allowsOrigin("https://app.example.com")).isFalse();
    }

    @Test
    void aCookieIsAllowedOnlyFromAnOriginListedExactlyNeverThroughAWildcard() {
        assertThat(withOrigins("*").allowsCookieOrigin("https://anything.net")).isFalse();
        assertThat(withOrigins("*").allowsCookieOrigin("*")).isFalse();
        ServerConfig both = ServerConfig.defaults().withAllowedOrigins(List.of("*", "https://app.example.com"));
        assertThat(both.allowsCookieOrigin("https://app.example.com")).isTrue();
        assertThat(both.allowsCookieOrigin("https://anything.net")).isFalse();
        assertThat(both.allowsOrigin("https://anything.net")).isTrue();
        assertThat(both.allowsCookieOrigin(null)).isFalse();
    }

    @Test
    void limitsMustBePositiveAndAreNamed() {
        assertThatThrownBy(() -> ServerConfig.defaults().withMaxBodyBytes(0)).hasMessageStartingWith("server.maxBodyBytes:");
        assertThatThrownBy(() -> ServerConfig.defaults().withMaxPendingBytes(-5)).hasMessageStartingWith("server.maxPendingBytes:");
        assertThatThrownBy(() -> ServerConfig.defaults().withPingIntervalMs(0)).hasMessageStartingWith("server.pingIntervalMs:");
        assertThatThrownBy(() -> new ServerConfig(null, null, null, null, null, null, 0, null, null, null, null, null, null, null, null, null, null, null))
                .hasMessageStartingWith("server.maxFrameBytes:");
        assertThatThrownBy(() -> new ServerConfig(null, null, null, null, null, null, null, null, 0, null, null, null, null, null, null, null, null, null))
                .hasMessageStartingWith("server.maxConnections:");
    }

    @Test
    void theDrainDelayDefaultsToFiveSecondsAcceptsZeroAndRefusesNegativeOrHugeValues() {
        assertThat(ServerConfig.defaults().drainDelayMs()).isEqualTo(5_000L);
        assertThat(ServerConfig.defaults().withDrainDelayMs(0).drainDelayMs()).isZero();
        assertThat(ServerConfig.defaults().withDrainDelayMs(0).withPort(9000).drainDelayMs()).as("kept by other copies").isZero();
        assertThatThrownBy(() -> ServerConfig.defaults().withDrainDelayMs(-1))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.drainDelayMs:").hasMessageContaining("-1");
        assertThatThrownBy(() -> ServerConfig.defaults().withDrainDelayMs(ServerConfig.MAX_DRAIN_DELAY_MS + 1))
                .hasMessageStartingWith("server.drainDelayMs:");
    }

    @Test
    void theTransportIsOneOfTheKnownOnesAndDefaultsToAuto() {
        assertThat(ServerConfig.defaults().transport()).isEqualTo("auto");
        assertThat(ServerConfig.defaults().withTransport("nio").transport()).isEqualTo("nio");
        assertThat(ServerConfig.defaults().withTransport("epoll").transport()).isEqualTo("epoll");
        assertThat(ServerConfig.defaults().withTransport("io_uring").transport()).isEqualTo("io_uring");
        assertThatThrownBy(() -> ServerConfig.defaults().withTransport("kqueue"))
                .hasMessageStartingWith("server.transport:").hasMessageContaining("auto, nio, epoll, io_uring");
    }

    @Test
    void theFlushDelayDefaultsToNoneAndIsBounded() {
        assertThat(ServerConfig.defaults().flushDelayMicros()).isZero();
        assertThat(ServerConfig.defaults().withFlushDelayMicros(500).flushDelayMicros()).isEqualTo(500);
        assertThatThrownBy(() -> ServerConfig.defaults().withFlushDelayMicros(-1)).hasMessageStartingWith("server.flushDelayMicros:");
        assertThatThrownBy(() -> ServerConfig.defaults().withFlushDelayMicros(ServerConfig.MAX_FLUSH_DELAY_MICROS + 1))
                .hasMessageStartingWith("server.flushDelayMicros:");
    }

    @Test
    void aBlankHostFallsBackToTheDefault() {
        assertThat(ServerConfig.defaults().withHost("  ").host()).isEqualTo(ServerConfig.DEFAULT_HOST);
        assertThat(ServerConfig.defaults().withHost("127.0.0.1").host()).isEqualTo("127.0.0.1");
    }

    @Test
    void toStringHidesTheAccessToken() {
        String text = ServerConfig.defaults().withAccessToken("super-secret-token-123-0123456789").toString();
        assertThat(text).doesNotContain("super-secret-token-123-0123456789").contains("***");
    }

    @Test
    void anAccessTokenShorterThan32CharactersIsRefusedNamingTheKeyWithoutEchoingIt() {
        String shortToken = "a".repeat(31);
        assertThatThrownBy(() -> ServerConfig.defaults().withAccessToken(shortToken))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.accessToken: must be at least 32 characters");
        assertThat(ServerConfig.defaults().withAccessToken("a".repeat(32)).accessToken()).hasSize(32);
    }

    @Test
    void tlsNeedsBothFilesAndChecksItsFilesEveryTenSecondsByDefault() {
        ServerConfig.Tls tls = new ServerConfig.Tls("/c.pem", "/k.pem", " ");

        assertThat(tls.caFile()).as("blank: no chain file").isNull();
        assertThat(tls.reloadIntervalMs()).isEqualTo(ServerConfig.Tls.DEFAULT_RELOAD_INTERVAL_MS).isEqualTo(10_000);
        assertThat(ServerConfig.defaults().withTls(tls).tls()).isEqualTo(tls);
        assertThatThrownBy(() -> new ServerConfig.Tls(null, "/k.pem", null)).hasMessageStartingWith("server.tls.certFile:");
        assertThatThrownBy(() -> new ServerConfig.Tls("/c.pem", "", null)).hasMessageStartingWith("server.tls.keyFile:");
        assertThatThrownBy(() -> new ServerConfig.Tls("/c.pem", "/k.pem", null, -1L))
                .hasMessage("server.tls.reloadIntervalMs: must be positive, was -1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.internal", "10.0.0.0/33", "10.0.0", "::1/129", "10.0.0.1/", "256.1.1.1", ""})
    void aTrustedProxyThatIsNotAnAddressOrCidrIsRefusedNamingItsIndex(String entry) {
        assertThatThrownBy(() -> ServerConfig.defaults().withConnectionLimits(10, 0, List.of("127.0.0.1", entry)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.trustedProxies[1]:");
    }

    @Test
    void trustedProxiesTakeAddressesAndCidrBlocksOfBothFamilies() throws Exception {
        ServerConfig c = ServerConfig.defaults().withConnectionLimits(10, 0, List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"));
        var ranges = c.trustedProxyRanges();
        assertThat(ranges.get(0).contains(java.net.InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(ranges.get(0).contains(java.net.InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(ranges.get(0).contains(java.net.InetAddress.getByName("::ffff:10.1.1.1"))).isTrue();
        assertThat(ranges.get(1).contains(java.net.InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(ranges.get(1).contains(java.net.InetAddress.getByName("192.168.1.8"))).isFalse();
        assertThat(ranges.get(2).contains(java.net.InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(ranges.get(3).contains(java.net.InetAddress.getByName("::1"))).isTrue();
        assertThat(ranges.get(3).contains(java.net.InetAddress.getByName("127.0.0.1"))).isFalse();
    }
}
