package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeraldConfigTest {
    private static final BroadcastConfig.WsTicket WS_TICKET = new BroadcastConfig.WsTicket("attendee", "eventId", "events",
            new BroadcastConfig.Check("app", "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId"));

    @Test
    void theEmptyConfigHasTheServerDefaults() {
        ServerConfig s = HeraldConfig.empty().server();

        assertThat(s.host()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.accessToken()).isNull();
        assertThat(s.allowedOrigins()).isEmpty();
        assertThat(s.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(s.maxPendingBytes()).isEqualTo(1024 * 1024);
        assertThat(s.maxFrameBytes()).isEqualTo(64 * 1024);
        assertThat(s.pingIntervalMs()).isEqualTo(25_000);
        assertThat(s.maxConnections()).isEqualTo(100_000);
    }

    @Test
    void theEmptyConfigHasTheAuthDefaults() {
        AuthConfig a = HeraldConfig.empty().auth();

        assertThat(a.jwt().secret()).isNull();
        assertThat(a.jwt().requireExp()).isTrue();
        assertThat(a.jwt().clockSkewSeconds()).isEqualTo(30);
        assertThat(a.cookie().name()).isEqualTo("herald_session");
        assertThat(a.apiKeys()).isEmpty();
    }

    @Test
    void theEmptyConfigHasTheBroadcastDefaults() {
        BroadcastConfig b = HeraldConfig.empty().broadcast();

        assertThat(b.ticketTtlSeconds()).isEqualTo(60);
        assertThat(b.singleUseTickets()).isFalse();
        assertThat(b.wsTicket()).isNull();
        assertThat(b.tables()).isEmpty();
        assertThat(b.namespaces()).isEmpty();
        assertThat(b.maxScopes()).isEqualTo(100_000);
        assertThat(b.maxUsedTickets()).isEqualTo(100_000);
        assertThat(HeraldConfig.empty().datasources()).isEmpty();
    }

    @Test
    void aWsTicketCheckMustUseADeclaredDatasource() {
        assertThatThrownBy(() -> HeraldConfig.empty().withBroadcast(BroadcastConfig.defaults().withWsTicket(WS_TICKET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.datasource:")
                .hasMessageContaining("'app'");
        assertThatThrownBy(() -> HeraldConfig.empty()
                .withDatasources(Map.of("other", DatasourceConfig.of("jdbc:sqlite::memory:")))
                .withBroadcast(BroadcastConfig.defaults().withWsTicket(WS_TICKET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.datasource:");
    }

    @Test
    void aWsTicketCheckWithItsDatasourceDeclaredIsAccepted() {
        HeraldConfig c = HeraldConfig.empty()
                .withDatasources(Map.of("app", DatasourceConfig.of("jdbc:sqlite::memory:")))
                .withBroadcast(BroadcastConfig.defaults().withWsTicket(WS_TICKET));

        assertThat(c.broadcast().wsTicket()).isEqualTo(WS_TICKET);
        assertThat(c.datasources()).containsOnlyKeys("app");
    }

    @Test
    void removingTheDatasourceOfAWsTicketIsRefused() {
        HeraldConfig c = HeraldConfig.empty()
                .withDatasources(Map.of("app", DatasourceConfig.of("jdbc:sqlite::memory:")))
                .withBroadcast(BroadcastConfig.defaults().withWsTicket(WS_TICKET));

        assertThatThrownBy(() -> c.withDatasources(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.datasource:");
    }

    @Test
    void datasourceNamesAreValidatedWithTheirPath() {
        assertThatThrownBy(() -> HeraldConfig.empty().withDatasources(Map.of("1bad name", DatasourceConfig.of("jdbc:sqlite::memory:"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("datasources.1bad name:");
    }

    @Test
    void withCopiesReplaceOnlyTheirSection() {
        HeraldConfig base = HeraldConfig.empty()
                .withServer(ServerConfig.defaults().withPort(9000))
                .withAuth(AuthConfig.defaults().withJwtSecret("s3cret-0123456789abcdef0123456789"));
        HeraldConfig changed = base.withBroadcast(BroadcastConfig.defaults().withTicketTtlSeconds(30));

        assertThat(changed.server().port()).isEqualTo(9000);
        assertThat(changed.auth().jwt().secret()).isEqualTo("s3cret-0123456789abcdef0123456789");
        assertThat(changed.broadcast().ticketTtlSeconds()).isEqualTo(30);
        assertThat(base.broadcast().ticketTtlSeconds()).isEqualTo(60);
    }

    @Test
    void datasourcesAreCopied() {
        var ds = new java.util.HashMap<String, DatasourceConfig>(Map.of("app", DatasourceConfig.of("jdbc:sqlite::memory:")));
        HeraldConfig c = HeraldConfig.empty().withDatasources(ds);
        ds.clear();
        assertThat(c.datasources()).containsOnlyKeys("app");
        assertThat(List.copyOf(c.datasources().values())).hasSize(1);
    }

    @Test
    void aDatasourceWithoutSettingsIsRefusedNamingIt() {
        java.util.Map<String, DatasourceConfig> empty = new java.util.HashMap<>();
        empty.put("app", null);
        assertThatThrownBy(() -> new HeraldConfig(null, null, null, null, null, null, null, empty, null, null, null, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("datasources.app:");
    }
}
