package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Meters;
import io.herald.server.http.ErrorHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which socket endpoint an upgrade's path goes to, and which routes the table gives the router: the first declared
 * that matches, the endpoint of unclaimed upgrades last wherever it was declared, a 400 route only for a socket path
 * no HTTP route serves GET on, and no declaration once the router is built.
 */
class RouteTableOrderTest {
    private static Vertx vertx;
    private static final Handler<RoutingContext> OK = ctx -> ctx.response().end();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    /** A socket endpoint known by its name. */
    private record Named(String name) implements DirectUpgrades.Endpoint<String> {
        @Override
        public CompletionStage<String> admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport) {
            return CompletableFuture.completedFuture(name);
        }

        @Override
        public void open(DirectWebSocket socket, String admission) {
        }

        @Override
        public String primitive() {
            return name;
        }

        @Override
        public int maxFrameBytes() {
            return 1024;
        }
    }

    private static RouteTable table() {
        return new RouteTable(new ErrorHandler(new Meters(new SimpleMeterRegistry())));
    }

    @Test
    void anUpgradeGoesToTheFirstSocketDeclaredThatMatchesAndTheUnclaimedOneLast() {
        Named broadcast = new Named("broadcast");
        Named lanes = new Named("lanes");
        Named rooms = new Named("rooms");
        RouteTable table = table()
                .socket("/realtime/v1/websocket", broadcast, "Broadcast sockets")
                .unclaimedSockets(lanes)
                .socket("/realtime/*", rooms, "Room sockets")
                .route(Set.of(HttpMethod.GET), "/realtime/*", OK);
        table.router(vertx);
        assertThat(table.socketAt("/realtime/v1/websocket")).isSameAs(broadcast);
        assertThat(table.socketAt("/realtime/lobby/r1")).isSameAs(rooms);
        assertThat(table.socketAt("/realtime/v1/websocket/")).as("exact means exact").isSameAs(rooms);
        assertThat(table.socketAt("/anywhere")).isSameAs(lanes);
        assertThat(table.socketAt("/")).isSameAs(lanes);
    }

    @Test
    void withoutAnUnclaimedEndpointAnUpgradeNoSocketClaimsIsLeftToTheRouter() {
        RouteTable table = table().socket("/lanes/v1/websocket", new Named("lanes"), "Lane sockets").get("/healthz", OK);
        table.router(vertx);
        assertThat(table.socketAt("/lanes/v1/websocket")).isNotNull();
        assertThat(table.socketAt("/healthz")).isNull();
        assertThat(table.socketAt("/lanes/v1")).isNull();
    }

    @Test
    void theRouterGetsEachRouteInOrderAndA400RouteOnlyForASocketPathNoHttpRouteServesGetOn() {
        RouteTable table = table()
                .everyRequest(OK)
                .socket("/broadcast/v1/websocket", new Named("broadcast"), "Broadcast sockets")
                .post("/broadcast/v1/ws-ticket", OK)
                .socket("/parties/*", new Named("rooms"), "Room sockets")
                .route(Set.of(HttpMethod.GET, HttpMethod.POST), "/parties/*", OK);
        List<Route> routes = table.router(vertx).getRoutes();
        List<String> paths = routes.stream().map(r -> r.getPath() == null ? "(every request)" : r.getPath() + " " + r.methods()).toList();
        assertThat(paths).containsExactly("(every request)", "/broadcast/v1/websocket [GET]", "/broadcast/v1/ws-ticket [POST]",
                "/parties/ " + routes.get(3).methods(), "(every request)");
        assertThat(routes.get(3).methods()).extracting(HttpMethod::name).containsExactlyInAnyOrder("GET", "POST");
        assertThat(table.entries()).extracting(RouteTable.Entry::kind).containsExactly(RouteTable.Kind.WEBSOCKET,
                RouteTable.Kind.HTTP, RouteTable.Kind.WEBSOCKET, RouteTable.Kind.HTTP);
    }

    @Test
    void handlersForEveryRequestComeBeforeTheEndpointsAndNothingIsDeclaredOnceTheRouterIsBuilt() {
        RouteTable table = table().get("/healthz", OK);
        assertThatThrownBy(() -> table.everyRequest(OK)).isInstanceOf(IllegalStateException.class);
        table.router(vertx);
        assertThatThrownBy(() -> table.get("/late", OK)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.router(vertx)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onlyOneEndpointTakesTheUnclaimedUpgradesAndASocketPathHasNoParameters() {
        assertThatThrownBy(() -> table().unclaimedSockets(new Named("a")).unclaimedSockets(new Named("b")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table().socket("/rooms/:id", new Named("a"), "Sockets")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSocketEndpointThatAnEarlierOneShadowsIsRefusedWhenTheRouterIsBuilt() {
        RouteTable samePath = table()
                .socket("/broadcast/v1/websocket", new Named("broadcast"), "Broadcast sockets")
                .socket("/broadcast/v1/websocket", new Named("lanes"), "Lane sockets");
        assertThatThrownBy(() -> samePath.router(vertx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Lane sockets at /broadcast/v1/websocket would get no upgrade")
                .hasMessageContaining("Broadcast sockets at /broadcast/v1/websocket");
        RouteTable underAPrefix = table()
                .socket("/parties/*", new Named("rooms"), "Room sockets")
                .socket("/parties/lanes/websocket", new Named("lanes"), "Lane sockets");
        assertThatThrownBy(() -> underAPrefix.router(vertx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Room sockets at /parties/*");
        RouteTable prefixUnderPrefix = table()
                .socket("/realtime/*", new Named("rooms"), "Room sockets")
                .socket("/realtime/v1/*", new Named("other"), "Other sockets");
        assertThatThrownBy(() -> prefixUnderPrefix.router(vertx)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSocketPathBeforeAPrefixThatCoversItIsKeptAndEachGetsItsOwnUpgrades() {
        Named lanes = new Named("lanes");
        Named rooms = new Named("rooms");
        RouteTable table = table()
                .socket("/parties/lanes/websocket", lanes, "Lane sockets")
                .socket("/parties/*", rooms, "Room sockets");
        table.router(vertx);
        assertThat(table.socketAt("/parties/lanes/websocket")).isSameAs(lanes);
        assertThat(table.socketAt("/parties/lobby/r1")).isSameAs(rooms);
    }
}
