package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The messages between a room's owner and the nodes forwarding to it survive the trip unchanged. */
class RoomWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJoinCarriesTheWholeConnectionContext() throws Exception {
        Principal user = new Principal("u1", Map.of("org_1", List.of("owner", "recruiter")), "org_1", "Ada",
                Map.of("sub", "u1", "exp", 123));
        ConnectionContext context = new ConnectionContext("/parties/lobby/r1?_pk=x&a=b", Map.of("_pk", "x", "a", "b"), user,
                "org_1", JSON.readTree("{\"seat\":3}"));
        RoomWire.Frame f = RoomWire.read(RoomWire.join("lobby", "r é1", 42, "x", context));
        assertThat(f.type).isEqualTo(RoomWire.JOIN);
        assertThat(f.party).isEqualTo("lobby");
        assertThat(f.room).isEqualTo("r é1");
        assertThat(f.id).isEqualTo(42);
        assertThat(f.connectionId).isEqualTo("x");
        assertThat(f.context.uri()).isEqualTo(context.uri());
        assertThat(f.context.query()).isEqualTo(context.query());
        assertThat(f.context.activeOrgId()).isEqualTo("org_1");
        assertThat(f.context.props()).isEqualTo(context.props());
        assertThat(f.context.principal().userId()).isEqualTo("u1");
        assertThat(f.context.principal().orgs()).isEqualTo(user.orgs());
        assertThat(f.context.principal().name()).isEqualTo("Ada");
        assertThat(f.context.principal().claims()).containsEntry("exp", 123);
    }

    @Test
    void anAnonymousJoinHasNoPrincipal() {
        RoomWire.Frame f = RoomWire.read(RoomWire.join("lobby", "r", 1, "x", new ConnectionContext("/p", Map.of(), null, null)));
        assertThat(f.context.principal()).isNull();
        assertThat(f.context.activeOrgId()).isNull();
        assertThat(f.context.props().isNull()).isTrue();
    }

    @Test
    void framesAndRelaysKeepTheirBytesAndKind() {
        RoomWire.Frame m = RoomWire.read(RoomWire.message(7, RoomMessage.binary(new byte[] {0, -1, 2})));
        assertThat(m.text).isFalse();
        assertThat(m.bytes).containsExactly(0, -1, 2);
        RoomWire.Frame r = RoomWire.read(RoomWire.relay(true, "hé".getBytes(StandardCharsets.UTF_8), new long[] {5, 9, 11, 0}, 3));
        assertThat(r.text).isTrue();
        assertThat(new String(r.bytes, StandardCharsets.UTF_8)).isEqualTo("hé");
        assertThat(r.ids).containsExactly(5, 9, 11);
        RoomWire.Frame c = RoomWire.read(RoomWire.close(3, 1012, "Service restart"));
        assertThat(c.type).isEqualTo(RoomWire.CLOSE);
        assertThat(c.code).isEqualTo(1012);
        assertThat(c.reason).isEqualTo("Service restart");
        RoomWire.Frame refused = RoomWire.read(RoomWire.refused(4, ErrorCode.TOO_MANY_REQUESTS, "The room is full."));
        assertThat(refused.error).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
        assertThat(refused.reason).isEqualTo("The room is full.");
    }

    @Test
    void requestsAndResponsesCrossWithBodiesAndHeaders() throws Exception {
        HttpRequest req = new HttpRequest("POST", "/parties/p/r?x=1", Map.of("x", "1"), Map.of("content-type", "application/json"),
                new byte[] {1, 2, 3}, null, null, JSON.readTree("[1]"));
        RoomWire.Frame f = RoomWire.read(RoomWire.request("p", "r", 99, req));
        assertThat(f.request.method()).isEqualTo("POST");
        assertThat(f.request.uri()).isEqualTo(req.uri());
        assertThat(f.request.query()).isEqualTo(req.query());
        assertThat(f.request.headers()).isEqualTo(req.headers());
        assertThat(f.request.body()).containsExactly(1, 2, 3);
        assertThat(f.request.props()).isEqualTo(req.props());
        RoomWire.Frame r = RoomWire.read(RoomWire.response(99, HttpResponse.json(201, "{\"ok\":true}").withHeader("x-a", "b")));
        assertThat(r.response.status()).isEqualTo(201);
        assertThat(r.response.headers()).containsEntry("x-a", "b");
        assertThat(new String(r.response.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
    }

    @Test
    void garbageIsRefusedNotMisread() {
        assertThatThrownBy(() -> RoomWire.read(new byte[] {99})).isInstanceOf(IllegalArgumentException.class);
        byte[] join = RoomWire.join("p", "r", 1, "x", new ConnectionContext("/p", Map.of(), null, null));
        assertThatThrownBy(() -> RoomWire.read(java.util.Arrays.copyOf(join, join.length - 3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RoomWire.read(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
