package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.config.RoomsConfig.Resource;
import io.herald.config.RoomsConfig.RoomIdPattern;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rooms configuration: PartyServer's party names, defaults, and validation errors that name their path. */
class RoomsConfigTest {
    private static final String RELAY = "io.herald.room.builtin.RelayRoom";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "INTERVIEW_ROOM, interview-room",
            "MyServer, my-server",
            "AIChat, a-i-chat",
            "DOCUMENT_ROOM, document-room",
            "Counter2, counter2",
            "YDoc, y-doc",
            "Chat, chat",
            "myParty, my-party",
            "Y_Doc, y--doc",
            "MyServer_, my-server",
            "yjs, yjs",
            "LOBBY, lobby",
            "MAIN, main",
    })
    void partyNamesAreTheKebabCaseOfBindingNamesAsPartyServerDerivesThem(String binding, String party) {
        assertThat(RoomsConfig.partyName(binding)).isEqualTo(party);
    }

    private static RoomsConfig bindings(Binding... b) {
        return RoomsConfig.defaults().withBindings(List.of(b));
    }

    @Test
    void twoBindingsWithTheSamePartyNameAreRejectedNamingTheSecond() {
        assertThatThrownBy(() -> bindings(new Binding("MyServer", RELAY, Access.PUBLIC), new Binding("MyServer_", RELAY, Access.PUBLIC)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings[1].name")
                .hasMessageContaining("my-server");
        assertThatThrownBy(() -> bindings(new Binding("CHAT", RELAY, null), new Binding("Chat", RELAY, null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[1].name");
    }

    @Test
    void thePartyNameV1IsReservedForTheBroadcastRoutes() {
        assertThatThrownBy(() -> bindings(new Binding("V1", RELAY, null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[0].name").hasMessageContaining("v1");
        assertThatThrownBy(() -> bindings(new Binding("LOBBY", RELAY, null), new Binding("v1", RELAY, null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[1].name");
    }

    @Test
    void bindingNamesAndClassNamesAreRequiredAndChecked() {
        assertThatThrownBy(() -> bindings(new Binding("my-party", RELAY, null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[0].name");
        assertThatThrownBy(() -> bindings(new Binding("2fast", RELAY, null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[0].name");
        assertThatThrownBy(() -> bindings(new Binding("CHAT", " ", null)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.bindings[0].className");
    }

    @Test
    void defaultsAreThoseOfTheIssue() {
        RoomsConfig d = RoomsConfig.defaults();
        assertThat(d.bindings()).isEmpty();
        assertThat(d.hibernateAfterMs()).isEqualTo(30_000L);
        assertThat(d.maxConnectionsPerRoom()).isEqualTo(1000);
        assertThat(d.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(d.messagesPerSecond()).isEqualTo(100);
        assertThat(d.messageBurst()).isEqualTo(200);
        assertThat(d.presence().history()).isEqualTo(50);
        assertThat(new Binding("CHAT", RELAY, null).access()).isEqualTo(Access.AUTHENTICATED);
        assertThat(new Resource("app", "chats", null, null, null).key()).isEqualTo("id");
        assertThat(StorageConfig.defaults().path()).isEqualTo("./data/herald.db");
        assertThat(StorageConfig.defaults().maxRoomBytes()).isEqualTo(10L * 1024 * 1024);
    }

    @Test
    void limitsMustBePositiveAndNameTheirKey() {
        assertThatThrownBy(() -> RoomsConfig.defaults().withHibernateAfterMs(0))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.hibernateAfterMs");
        assertThatThrownBy(() -> RoomsConfig.defaults().withLimits(0, 1, 1, 1))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.maxConnectionsPerRoom");
        assertThatThrownBy(() -> RoomsConfig.defaults().withLimits(1, -1, 1, 1))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.maxMessageBytes");
        assertThatThrownBy(() -> new RoomsConfig.Presence(-1))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.presence.history");
        assertThatThrownBy(() -> new StorageConfig(null, 0L))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.maxRoomBytes");
    }

    @Test
    void aRoomLeaseLastsTenSecondsByDefaultAndBetweenOneSecondAndTenMinutes() {
        assertThat(RoomsConfig.defaults().leaseMs()).isEqualTo(10_000L);
        assertThat(RoomsConfig.defaults().withLeaseMs(1_000).leaseMs()).isEqualTo(1_000L);
        assertThat(RoomsConfig.defaults().withLeaseMs(600_000).leaseMs()).isEqualTo(600_000L);
        assertThatThrownBy(() -> RoomsConfig.defaults().withLeaseMs(999))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.leaseMs");
        assertThatThrownBy(() -> RoomsConfig.defaults().withLeaseMs(600_001))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rooms.leaseMs");
    }

    private static void assertAccessError(Access access, String path) {
        assertThatThrownBy(() -> bindings(new Binding("LOBBY", RELAY, Access.PUBLIC), new Binding("CHAT", RELAY, access)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(path + ":");
    }

    @Test
    void accessModesOtherThanPublicOrAuthenticatedAreRejected() {
        assertThat(Access.of("public")).isEqualTo(Access.PUBLIC);
        assertThat(Access.of("authenticated")).isEqualTo(Access.AUTHENTICATED);
        assertThatThrownBy(() -> Access.of("private")).isInstanceOf(ConfigException.class).hasMessageContaining("private");
        assertAccessError(new Access("private", null, null, null, null), "rooms.bindings[1].access");
    }

    @Test
    void roomIdEqualsAcceptsOnlyUserIdOrActiveOrgId() {
        assertAccessError(Access.roomIdEquals("ctx.orgId"), "rooms.bindings[1].access.roomIdEquals");
        assertAccessError(Access.roomIdEquals("userId"), "rooms.bindings[1].access.roomIdEquals");
        bindings(new Binding("A", RELAY, Access.roomIdEquals("ctx.userId")), new Binding("B", RELAY, Access.roomIdEquals("ctx.activeOrgId")));
    }

    @Test
    void anAccessRuleGivesExactlyOneKind() {
        assertAccessError(new Access("public", "ctx.userId", null, null, null), "rooms.bindings[1].access");
        assertAccessError(new Access(null, null, null, null, null), "rooms.bindings[1].access");
    }

    @Test
    void resourceErrorsNameTheirField() {
        assertAccessError(Access.resource(new Resource(null, "chats", null, null, null)), "rooms.bindings[1].access.resource.datasource");
        assertAccessError(Access.resource(new Resource("app", "chats; DROP TABLE chats", null, null, null)),
                "rooms.bindings[1].access.resource.table");
        assertAccessError(Access.resource(new Resource("app", "chats", "id = id", null, null)), "rooms.bindings[1].access.resource.key");
        assertAccessError(Access.resource(new Resource("app", "chats", null, null, "deleted at")),
                "rooms.bindings[1].access.resource.softDelete");
        assertAccessError(Access.resource(new Resource("app", "chats", null, Map.of("organization_id", "ctx.orgId"), null)),
                "rooms.bindings[1].access.resource.firewall.organization_id");
        assertAccessError(Access.resource(new Resource("app", "chats", null, Map.of("org id", "ctx.userId"), null)),
                "rooms.bindings[1].access.resource.firewall.org id");
    }

    @Test
    void patternErrorsNameTheirField() {
        Resource notes = new Resource("app", "day_notes", null, null, null);
        assertAccessError(Access.pattern(new RoomIdPattern("^(a|b):(", 1, 2), Map.of("a", notes)),
                "rooms.bindings[1].access.roomId.pattern");
        assertAccessError(Access.pattern(new RoomIdPattern("^(a|b):(.+)$", 1, 3), Map.of("a", notes)),
                "rooms.bindings[1].access.roomId");
        assertAccessError(Access.pattern(new RoomIdPattern("^(a|b):(.+)$", null, null), null),
                "rooms.bindings[1].access.resources");
        assertAccessError(Access.pattern(new RoomIdPattern("^(a|b):(.+)$", null, null), Map.of("a", new Resource("app", "bad table", null, null, null))),
                "rooms.bindings[1].access.resources.a.table");
        assertAccessError(new Access(null, null, new Resource("app", "chats", null, null, null), null, Map.of("a", notes)),
                "rooms.bindings[1].access.resources");
    }

    @Test
    void aResourceOnAnUndeclaredDatasourceIsRejectedByTheWholeConfig() {
        RoomsConfig rooms = bindings(new Binding("CHAT", RELAY, Access.resource(new Resource("app", "chats", null, null, null))));
        assertThatThrownBy(() -> HeraldConfig.empty().withRooms(rooms))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings[0].access")
                .hasMessageContaining("app");
        assertThat(HeraldConfig.empty().withDatasources(Map.of("app", DatasourceConfig.of("jdbc:sqlite::memory:"))).withRooms(rooms)
                .rooms().bindings()).hasSize(1);
    }
}
