package io.herald.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.JwtSigner;
import io.herald.broadcast.BroadcastEvent;
import io.herald.inspect.Publisher;
import io.herald.server.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handlers of the admin routes: the page under {@code /admin/} and its API under {@code /admin/v1/}. The edge's
 * route table declares them, every API route behind the server credential (checked before any body is read);
 * failures are answered through the error table.
 * <ul>
 * <li>{@code GET /admin/v1/snapshot}: one snapshot as JSON; {@code GET /admin/v1/stream}: {@code text/event-stream}
 *     of {@code snapshot} events, one at once and then one a second;</li>
 * <li>{@code POST /admin/v1/publish}: a test broadcast, the body of {@code POST /broadcast/v1/broadcast};</li>
 * <li>{@code POST /admin/v1/tokens}: in dev mode only, a test JWT or WebSocket ticket (403 otherwise);</li>
 * <li>{@code POST /admin/v1/sockets/:id/close} and {@code POST /admin/v1/rooms/:party/:room/unload}: 404 when this
 *     node has no such socket or room.</li>
 * </ul>
 * One instance per event loop.
 */
public final class AdminRoutes {
    /** How long a minted test JWT is valid. */
    static final long TEST_JWT_SECONDS = 3600;
    private static final int MAX_ROLES = 20;
    private final Admin admin;
    private final Herald herald;
    private final JsonBodies bodies;
    private final AdminPage page;

    public AdminRoutes(Admin admin, JsonBodies bodies) {
        this.admin = admin;
        this.herald = admin.herald();
        this.bodies = bodies;
        this.page = AdminPage.load();
    }

    /**
     * {@code GET /admin} and {@code /admin/} (Vert.x matches both): the page, which loads its module relative to
     * {@code /admin/}, so {@code /admin} moves there.
     */
    public void page(RoutingContext ctx) {
        if (ctx.request().path().endsWith("/")) {
            page.serve(ctx, "index.html");
        } else {
            ctx.response().setStatusCode(io.netty.handler.codec.http.HttpResponseStatus.MOVED_PERMANENTLY.code())
                    .putHeader("Location", "/admin/").end();
        }
    }

    /** {@code GET /admin/:file}: one of the page's files. */
    public void file(RoutingContext ctx) {
        page.serve(ctx, ctx.pathParam("file"));
    }

    /** {@code GET /admin/v1/snapshot}. */
    public void snapshot(RoutingContext ctx) {
        Future.fromCompletionStage(admin.snapshot(), ctx.vertx().getOrCreateContext())
                .onSuccess(s -> json(ctx, s.toString()))
                .onFailure(ctx::fail);
    }

    /** {@code GET /admin/v1/stream}. */
    public void stream(RoutingContext ctx) {
        var response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        admin.open(response, ctx.vertx().getOrCreateContext());
        response.writeHead();
    }

    /** {@code POST /admin/v1/publish}. */
    public void publish(RoutingContext ctx) {
        BroadcastEvent event = BroadcastEvent.fromJson(bodies.read(ctx, false));
        Future.fromCompletionStage(herald.broadcast().publish(event, Publisher.ADMIN_PAGE), ctx.vertx().getOrCreateContext())
                .onSuccess(r -> {
                    JsonObject out = new JsonObject().put("delivered", r.delivered()).put("nodes", r.nodes());
                    if (r.partial()) {
                        out.put("partial", true);
                    }
                    r.skipReason().ifPresent(s -> out.put("skipped", s));
                    json(ctx, out.encode());
                })
                .onFailure(ctx::fail);
    }

    /**
     * {@code POST /admin/v1/tokens}, {@code {"kind":"jwt"|"ticket","userId","organizationId","roles":[...],"scopeKey"?}}: a JWT signed with the
     * server's own secret, or a broadcast ticket, for trying the server out. Refused outside dev mode, where the
     * secrets are real and whoever holds the server credential must not become every user.
     */
    public void tokens(RoutingContext ctx) {
        if (!admin.devMode()) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "Test credentials are minted only in dev mode (a server that"
                    + " generated its own ACCESS_TOKEN and JWT_SECRET); use your identity provider or POST /broadcast/v1/ws-ticket.");
        }
        JsonNode body = bodies.read(ctx, false);
        String kind = text(body, "kind", true);
        String user = text(body, "userId", true);
        String org = text(body, "organizationId", false);
        String scope = text(body, "scopeKey", false);
        List<String> roles = roles(body);
        JsonObject out = new JsonObject().put("kind", kind).put("userId", user);
        switch (kind) {
            case "jwt" -> {
                String secret = herald.config().auth().jwt().secret();
                if (secret == null) {
                    throw new HeraldException(ErrorCode.BAD_REQUEST, "This server has no JWT secret to sign with (auth.jwt.jwksUrl only).");
                }
                Map<String, Object> claims = new LinkedHashMap<>();
                claims.put("sub", user);
                if (org != null) {
                    claims.put("orgs", Map.of(org, roles));
                    claims.put("organizationId", org);
                }
                long exp = Instant.now().plusSeconds(TEST_JWT_SECONDS).getEpochSecond();
                claims.put("exp", exp);
                out.put("token", new JwtSigner(secret).sign(claims)).put("expiresAt", Instant.ofEpochSecond(exp).toString());
            }
            case "ticket" -> {
                if (org == null && scope == null) {
                    throw new HeraldException(ErrorCode.BAD_REQUEST, "A ticket needs organizationId or scopeKey.");
                }
                if (scope != null) {
                    // the same rule as a published event's scope key
                    io.herald.broadcast.Target.scope(scope);
                }
                out.put("ticket", herald.tickets().mint(user, org, roles, scope, null))
                        .put("expiresInSeconds", herald.tickets().ttl().toSeconds());
            }
            default -> throw new HeraldException(ErrorCode.BAD_REQUEST, "kind must be jwt or ticket.");
        }
        out.put("organizationId", org).put("roles", new JsonArray(roles));
        json(ctx, out.encode());
    }

    /** {@code POST /admin/v1/sockets/:id/close}. */
    public void closeSocket(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        SocketDirectory.Entry e = admin.sockets().find(id)
                .orElseThrow(() -> new HeraldException(ErrorCode.NOT_FOUND, "No socket with this id is open on this node."));
        e.connection().close(ErrorCode.CLOSED_BY_OPERATOR, "closed by an operator");
        json(ctx, new JsonObject().put("closed", e.id()).put("primitive", e.primitive()).encode());
    }

    /** {@code POST /admin/v1/rooms/:party/:room/unload}. */
    public void unloadRoom(RoutingContext ctx) {
        String party = ctx.pathParam("party");
        String room = ctx.pathParam("room");
        Future.fromCompletionStage(herald.rooms().unload(party, room), ctx.vertx().getOrCreateContext())
                .onSuccess(done -> {
                    if (!done) {
                        ctx.fail(new HeraldException(ErrorCode.NOT_FOUND, "This node has no such room loaded or connected."));
                        return;
                    }
                    json(ctx, new JsonObject().put("unloaded", new JsonObject().put("party", party).put("room", room)).encode());
                })
                .onFailure(ctx::fail);
    }

    private static void json(RoutingContext ctx, String body) {
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body);
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.isObject() ? body.get(field) : null;
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            if (required) {
                throw new HeraldException(ErrorCode.BAD_REQUEST, field + " is required.");
            }
            return null;
        }
        if (!n.isTextual() || n.asText().length() > 256) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, field + " must be a string of at most 256 characters.");
        }
        return n.asText().trim();
    }

    private static List<String> roles(JsonNode body) {
        JsonNode n = body.get("roles");
        List<String> roles = new ArrayList<>();
        if (n == null || n.isNull()) {
            return roles;
        }
        if (!n.isArray() || n.size() > MAX_ROLES) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "roles must be an array of at most " + MAX_ROLES + " strings.");
        }
        for (JsonNode r : n) {
            if (!r.isTextual() || r.asText().isBlank() || r.asText().length() > 64) {
                throw new HeraldException(ErrorCode.BAD_REQUEST, "each role must be a non-empty string of at most 64 characters.");
            }
            roles.add(r.asText().trim());
        }
        return roles;
    }
}
