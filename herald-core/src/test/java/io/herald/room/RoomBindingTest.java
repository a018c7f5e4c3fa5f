package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.Herald;
import io.herald.config.AuthConfig;
import io.herald.config.ConfigException;
import io.herald.config.DatasourceConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.config.ServerConfig;
import io.herald.config.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Binding parties: Room classes from configuration, rooms bound in code through {@link Herald.Builder#room}, and their gates. */
class RoomBindingTest {
    @TempDir
    Path dir;

    private HeraldConfig config(Binding... bindings) {
        return HeraldConfig.empty()
                .withServer(ServerConfig.defaults().withAccessToken("access-token-for-room-binding-tests"))
                .withAuth(AuthConfig.defaults().withJwtSecret("jwt-secret-for-room-binding-tests"))
                .withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null))
                .withRooms(RoomsConfig.defaults().withBindings(List.of(bindings)));
    }

    private static ConnectRequest request(String party, String room) {
        return new ConnectRequest(party, room, "/parties/" + party + "/" + room, Map.of(), Map.of(), null, null);
    }

    /** Greets every connection with its room's name. */
    public static final class GreetingRoom extends Room {
        @Override
        protected void onConnect(RoomConnection connection, ConnectionContext context) {
            connection.send("welcome to " + party() + "/" + name());
        }
    }

    /** A room with a static gate that refuses room {@code locked} with 423. */
    public static final class LockedRoom extends Room {
        public static Optional<Refusal> onBeforeConnect(ConnectRequest request) {
            return request.room().equals("locked") ? Optional.of(new Refusal(423, "Locked.")) : Optional.empty();
        }
    }

    /** Not bindable: no public no-argument constructor. */
    public static final class NeedsArgumentRoom extends Room {
        public NeedsArgumentRoom(int size) {
        }
    }

    /** Not bindable: its onBeforeConnect is not static. */
    public static final class InstanceGateRoom extends Room {
        public Optional<Refusal> onBeforeConnect(ConnectRequest request) {
            return Optional.empty();
        }
    }

    /** Not bindable: its onBeforeConnect returns something other than Optional. */
    public static final class WrongGateRoom extends Room {
        public static Refusal onBeforeConnect(ConnectRequest request) {
            return null;
        }
    }

    @Test
    void aRoomBoundInCodeIsServedUnderItsPartyNameWithItsAccessAndGate() throws Exception {
        try (Herald herald = Herald.builder(config())
                .room("MyCounter", GreetingRoom::new, Access.PUBLIC,
                        r -> r.room().equals("closed") ? Optional.of(new Refusal(423, "Closed.")) : Optional.empty())
                .build()) {
            RoomBinding binding = herald.rooms().binding("my-counter").orElseThrow();
            assertThat(binding.name()).isEqualTo("MyCounter");
            assertThat(herald.rooms().binding("MyCounter")).isEmpty();
            assertThat(herald.roomGate("my-counter").orElseThrow().isPublic()).isTrue();
            assertThat(binding.beforeConnect(request("my-counter", "closed"))).contains(new Refusal(423, "Closed."));
            assertThat(binding.beforeConnect(request("my-counter", "open"))).isEmpty();

            try (TestConnection t = new TestConnection()) {
                herald.rooms().reserve(binding, "open").join("c1", t, new ConnectionContext("/", null, null, null)).get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(t.texts()).containsExactly("welcome to my-counter/open"));
            }
        }
    }

    @Test
    void aConfiguredClassIsLoadedFromTheClasspathAndDefaultsToAuthenticated() {
        try (Herald herald = Herald.create(config(new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", null),
                new Binding("LockedRoom", LockedRoom.class.getName(), Access.PUBLIC)))) {
            assertThat(herald.rooms().binding("lobby")).isPresent();
            assertThat(herald.roomGate("lobby").orElseThrow().isPublic()).isFalse();
            RoomBinding locked = herald.rooms().binding("locked-room").orElseThrow();
            assertThat(locked.beforeConnect(request("locked-room", "locked"))).contains(new Refusal(423, "Locked."));
            assertThat(locked.beforeConnect(request("locked-room", "other"))).isEmpty();
        }
    }

    @Test
    void anUnknownClassIsAStartUpErrorNamingTheBinding() {
        assertThatThrownBy(() -> Herald.create(config(new Binding("CHAT", "com.acme.Nope", null))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings.CHAT.className")
                .hasMessageContaining("com.acme.Nope");
    }

    @Test
    void aClassThatIsNotARoomIsAStartUpError() {
        assertThatThrownBy(() -> Herald.create(config(new Binding("CHAT", "java.lang.String", null))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings.CHAT.className");
    }

    @Test
    void aRoomWithoutAPublicNoArgumentConstructorIsAStartUpError() {
        assertThatThrownBy(() -> RoomBinding.of("BIG", NeedsArgumentRoom.class, Access.PUBLIC))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings.BIG")
                .hasMessageContaining("no-argument constructor");
    }

    @Test
    void anOnBeforeConnectOfTheWrongShapeIsAStartUpError() {
        assertThatThrownBy(() -> RoomBinding.of("GATE", InstanceGateRoom.class, Access.PUBLIC))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public static Optional<Refusal> onBeforeConnect");
        assertThatThrownBy(() -> RoomBinding.of("GATE", WrongGateRoom.class, Access.PUBLIC))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public static Optional<Refusal> onBeforeConnect");
    }

    @Test
    void aPartyBoundBothInCodeAndInConfigurationIsAStartUpError() {
        assertThatThrownBy(() -> Herald.builder(config(new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", Access.PUBLIC)))
                .room("Lobby", GreetingRoom::new, Access.PUBLIC, null).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("lobby");
    }

    @Test
    void aResourceGateOnATableThatDoesNotExistStopsStartUp() {
        HeraldConfig c = config()
                .withDatasources(Map.of("app", DatasourceConfig.of("jdbc:sqlite:" + dir.resolve("empty.db"))))
                .withRooms(RoomsConfig.defaults().withBindings(List.of(new Binding("CHAT", GreetingRoom.class.getName(),
                        Access.resource(new RoomsConfig.Resource("app", "chats", null, null, null))))));
        assertThatThrownBy(() -> Herald.create(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rooms.bindings.CHAT.access")
                .hasMessageContaining("chats");
    }
}
