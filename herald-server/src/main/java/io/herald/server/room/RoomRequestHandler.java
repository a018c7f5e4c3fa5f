package io.herald.server.room;

import io.herald.Herald;
import io.herald.auth.Principal;
import io.herald.room.HttpRequest;
import io.herald.room.HttpResponse;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Plain HTTP requests to a room URL ({@code GET}/{@code POST}/{@code PUT}/{@code PATCH}/{@code DELETE}
 * {@code /<prefix>/<party>/<room>}), PartyServer's {@code onRequest}: the same {@link RoomAdmission}
 * checks as an upgrade, then the room's {@code onRequest} on its context, and its response written as
 * it is. The party, room id and credentials are checked by {@link #check} before the body is read (at
 * most {@code server.maxBodyBytes}, else 413), so a stranger learns nothing from a 413. A room that
 * throws answers a generic 500. One instance per event loop and prefix.
 */
public final class RoomRequestHandler {
    private static final String TARGET = "herald.room.target";
    private static final String PRINCIPAL = "herald.room.principal";
    private static final String VIEW = "herald.room.request";
    private final Herald herald;
    private final Context context;
    private final RoomAdmission admission;
    private final ErrorHandler errors;

    /** A handler for room URLs under {@code prefix} ({@code /parties} or {@code /realtime}). */
    public RoomRequestHandler(Herald herald, Context context, String prefix, ErrorHandler errors) {
        this.herald = herald;
        this.context = context;
        this.errors = errors;
        this.admission = new RoomAdmission(herald, context, prefix);
    }

    /** The checks before the body: party (404), room id (400), credentials (401); refused requests end here. */
    public void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        try {
            RoomRequestView view = RoomRequestView.of(request);
            RoomAdmission.Target target = admission.target(view);
            Principal principal = admission.authenticate(view, target);
            ctx.put(VIEW, view);
            ctx.put(TARGET, target);
            ctx.put(PRINCIPAL, principal);
        } catch (RuntimeException e) {
            RoomAdmission.respond(request, e, errors);
            return;
        }
        ctx.next();
    }

    /** After the body: the access gate and onBeforeConnect, then the room's onRequest. */
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        RoomAdmission.Target target = ctx.get(TARGET);
        Principal principal = ctx.get(PRINCIPAL);
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        admission.admit(ctx.get(VIEW), target, principal)
                .compose(admitted -> Future.fromCompletionStage(herald.rooms().request(target.binding(), target.path().room(),
                        new HttpRequest(request.method().name(), request.uri(), admitted.query(), admitted.headers(), body,
                                admitted.principal(), admitted.activeOrgId(), admitted.props())), context))
                .onSuccess(response -> write(request.response(), response))
                .onFailure(e -> RoomAdmission.respond(request, e, errors));
    }

    private static void write(HttpServerResponse out, HttpResponse response) {
        if (out.ended() || out.closed()) {
            return;
        }
        out.setStatusCode(response.status());
        response.headers().forEach((name, value) -> {
            String n = name.toLowerCase(Locale.ROOT);
            // the server frames the body itself: a room's own length or encoding would corrupt it
            if (!n.equals("content-length") && !n.equals("transfer-encoding")) {
                out.putHeader(name, value);
            }
        });
        out.end(Buffer.buffer(response.body()));
    }
}
