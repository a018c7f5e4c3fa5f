package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * partysocket's query parameters on a real room upgrade: any percent-encoded {@code _pk} becomes the
 * connection id when it is 1..256 characters, else a random 21-character one; a query or room that is
 * not valid percent-encoding is refused with 400, never 500; on the broadcast and lane routes, without
 * credentials, with 400 or 401.
 */
class RoomQueryPropertiesTest {
    private static RoomServer server;

    @BeforeContainer
    static void start() throws java.io.IOException {
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(new Binding("ECHO", EchoRoom.class.getName(), Access.PUBLIC)));
        server = RoomServer.start(RoomServer.config(Files.createTempDirectory("room-query").resolve("herald.db"), rooms, Map.of()));
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20), Arbitraries.strings().withChars("&=?#%+ a/").ofMaxLength(8),
                        Arbitraries.strings().withChars('x').ofMinLength(250).ofMaxLength(260))
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    @Property(tries = 60)
    void anEncodedPkIsTheConnectionIdWhenWithinTheLimitElseARandomOne(@ForAll("ids") String pk) {
        RoomClient c = server.connect("/parties/echo/pk?_pk=" + URLEncoder.encode(pk, StandardCharsets.UTF_8).replace("+", "%20") + "&n=1");
        JsonNode hello = c.nextJson();
        if (!pk.isEmpty() && pk.length() <= 256) {
            assertThat(hello.get("id").asText()).isEqualTo(pk);
        } else {
            assertThat(hello.get("id").asText()).matches("[A-Za-z0-9_-]{21}");
        }
        c.close();
    }

    @Provide
    Arbitrary<String> rawQueries() {
        return Arbitraries.strings().withChars("%0123456789abcdefZz+&=;_pk").ofMaxLength(14);
    }

    @Property(tries = 60)
    void anyRawQueryOrRoomIsUpgradedOrRefusedWith400(@ForAll("rawQueries") String query, @ForAll("rawQueries") String room) {
        RoomServer.Raw r = server.rawUpgrade("/parties/echo/r" + room + "?" + query);
        assertThat(r.status()).as("/parties/echo/r%s?%s -> %s", room, query, r.body()).isIn(101, 400);
    }

    @Property(tries = 60)
    void anyRawQueryOnTheDirectUpgradeRoutesIsRefusedWith400Or401(@ForAll("rawQueries") String query,
            @ForAll("directRoutes") String route) {
        RoomServer.Raw r = server.rawUpgrade(route + "?" + query);
        assertThat(r.status()).as("%s?%s -> %s", route, query, r.body()).isIn(400, 401);
    }

    @Provide
    Arbitrary<String> directRoutes() {
        return Arbitraries.of("/broadcast/v1/websocket", "/realtime/v1/websocket", "/lanes/v1/websocket");
    }
}
