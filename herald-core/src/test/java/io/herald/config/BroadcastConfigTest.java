package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.BroadcastConfig.Check;
import io.herald.config.BroadcastConfig.Mask;
import io.herald.config.BroadcastConfig.TableConfig;
import io.herald.config.BroadcastConfig.WsTicket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BroadcastConfigTest {
    private static final Check CHECK = new Check("app", "SELECT 1 FROM t WHERE id = :id");

    private static BroadcastConfig withTable(String name, TableConfig table) {
        Map<String, TableConfig> tables = new HashMap<>();
        tables.put(name, table);
        return BroadcastConfig.defaults().withTables(tables);
    }

    private static TableConfig masked(Map<String, Mask> masking) {
        return new TableConfig(null, null, null, null, null, masking, null);
    }

    @Test
    void tableDefaultsSwitchEveryEventOnAndProjectNothingAway() {
        TableConfig t = TableConfig.allDefaults();

        assertThat(t.onInsert()).isTrue();
        assertThat(t.onUpdate()).isTrue();
        assertThat(t.onDelete()).isTrue();
        assertThat(t.requiredRoles()).isEmpty();
        assertThat(t.fields()).isNull();
        assertThat(t.masking()).isEmpty();
        assertThat(t.schema()).isEqualTo("public");
    }

    @Test
    void aMaskWithoutShowIsShownToNobody() {
        assertThat(new Mask(MaskType.SSN, null).show().roles()).isEmpty();
    }

    @Test
    void aMaskWithoutTypeIsRefusedNamingTheField() {
        Map<String, Mask> masking = new HashMap<>();
        masking.put("ssn", new Mask(null, null));
        assertThatThrownBy(() -> withTable("applications", masked(masking)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.tables.applications.masking.ssn.type:");

        Map<String, Mask> nullMask = new HashMap<>();
        nullMask.put("email", null);
        assertThatThrownBy(() -> withTable("applications", masked(nullMask)))
                .hasMessageStartingWith("broadcast.tables.applications.masking.email.type:");
    }

    @Test
    void atMost63MaskedFieldsPerTable() {
        Map<String, Mask> many = new HashMap<>();
        for (int i = 0; i < 63; i++) {
            many.put("f" + i, new Mask(MaskType.REDACT, null));
        }
        assertThat(withTable("t", masked(many)).tables().get("t").masking()).hasSize(63);
        many.put("f63", new Mask(MaskType.REDACT, null));
        assertThatThrownBy(() -> withTable("t", masked(many))).hasMessageStartingWith("broadcast.tables.t.masking:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad name", "1table", "t:x", ""})
    void anInvalidTableNameIsRefusedWithItsPath(String name) {
        assertThatThrownBy(() -> withTable(name, TableConfig.allDefaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.tables." + name + ":");
    }

    @Test
    void aTableWithoutSettingsIsRefusedWithItsPath() {
        assertThatThrownBy(() -> withTable("t", null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.tables.t:");
    }

    @Test
    void aNamespaceWithoutEventNamesIsRefusedWithItsPath() {
        Map<String, List<String>> namespaces = new HashMap<>();
        namespaces.put("screening", null);
        assertThatThrownBy(() -> BroadcastConfig.defaults().withNamespaces(namespaces)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.namespaces.screening:");
    }

    @Test
    void namespacesMustBeValidAndListEventNames() {
        assertThatThrownBy(() -> BroadcastConfig.defaults().withNamespaces(Map.of("screening", List.of())))
                .hasMessageStartingWith("broadcast.namespaces.screening:");
        assertThatThrownBy(() -> BroadcastConfig.defaults().withNamespaces(Map.of("a:b", List.of("x"))))
                .hasMessageStartingWith("broadcast.namespaces.a:b:");
        assertThat(BroadcastConfig.defaults().withNamespaces(Map.of("screening", List.of("started"))).namespaces())
                .containsEntry("screening", List.of("started"));
    }

    @Test
    void ticketTtlIsOneSecondToOneHour() {
        assertThatThrownBy(() -> BroadcastConfig.defaults().withTicketTtlSeconds(0)).hasMessageStartingWith("broadcast.ticketTtlSeconds:");
        assertThatThrownBy(() -> BroadcastConfig.defaults().withTicketTtlSeconds(3601)).hasMessageStartingWith("broadcast.ticketTtlSeconds:");
        assertThat(BroadcastConfig.defaults().withTicketTtlSeconds(3600).ticketTtlSeconds()).isEqualTo(3600);
    }

    @Test
    void capsMustBePositive() {
        assertThatThrownBy(() -> new BroadcastConfig(null, null, null, null, null, 0, null, null)).hasMessageStartingWith("broadcast.maxScopes:");
        assertThatThrownBy(() -> new BroadcastConfig(null, null, null, null, null, null, -1, null))
                .hasMessageStartingWith("broadcast.maxUsedTickets:");
    }

    @Test
    void aCheckNamingAnUnknownParameterIsRefused() {
        assertThatThrownBy(() -> new Check("app", "SELECT 1 FROM t WHERE id = :id AND tenant = :tenantId"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.sql:")
                .hasMessageContaining(":tenantId");
    }

    @Test
    void aCheckNeedsADatasourceAndSql() {
        assertThatThrownBy(() -> new Check(" ", "SELECT 1")).hasMessageStartingWith("broadcast.wsTicket.check.datasource:");
        assertThatThrownBy(() -> new Check("app", null)).hasMessageStartingWith("broadcast.wsTicket.check.sql:");
    }

    @Test
    void positionalReplacesNamedParametersInOrder() {
        var p = new Check("app", "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId AND role = :role").positional();

        assertThat(p.getKey()).isEqualTo("SELECT 1 FROM event_roles WHERE event_id = ? AND user_id = ? AND role = ?");
        assertThat(p.getValue()).containsExactly("id", "userId", "role");
    }

    @Test
    void positionalRepeatsAParameterUsedTwiceAndLeavesCastsAlone() {
        var p = new Check("app", "SELECT 1 FROM t WHERE (a = :id OR b = :id) AND org = :organizationId::text").positional();

        assertThat(p.getKey()).isEqualTo("SELECT 1 FROM t WHERE (a = ? OR b = ?) AND org = ?::text");
        assertThat(p.getValue()).containsExactly("id", "id", "organizationId");
    }

    @Test
    void positionalOfSqlWithoutParametersIsUnchanged() {
        var p = new Check("app", "SELECT 1").positional();
        assertThat(p.getKey()).isEqualTo("SELECT 1");
        assertThat(p.getValue()).isEmpty();
    }

    @Test
    void aWsTicketNeedsEachOfItsParts() {
        assertThatThrownBy(() -> new WsTicket(null, "eventId", "events", CHECK)).hasMessageStartingWith("broadcast.wsTicket.role:");
        assertThatThrownBy(() -> new WsTicket("attendee", "event id", "events", CHECK))
                .hasMessageStartingWith("broadcast.wsTicket.requestField:");
        assertThatThrownBy(() -> new WsTicket("attendee", "eventId", "ev:ents", CHECK))
                .hasMessageStartingWith("broadcast.wsTicket.scopeTable:");
        assertThatThrownBy(() -> new WsTicket("attendee", "eventId", "events", null)).hasMessageStartingWith("broadcast.wsTicket.check:");
        assertThat(new WsTicket("attendee", "eventId", "events", CHECK).check()).isEqualTo(CHECK);
    }
}
