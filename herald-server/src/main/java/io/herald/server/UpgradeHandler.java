package io.herald.server;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.server.http.ErrorHandler;
import io.herald.server.http.Queries;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The base of the WebSocket upgrade handlers: the edge objects one event loop shares (engine, socket
 * registry, frame writer), and every refusal before the upgrade answered as the JSON error of its
 * {@link ErrorCode}. Upgrades reach it before the router, so the socket is Vert.x's own. Confined to its loop.
 */
public abstract class UpgradeHandler implements Handler<HttpServerRequest> {
    protected final Herald herald;
    protected final Sockets sockets;
    protected final FrameWriter loop;
    private final ErrorHandler errors;

    protected UpgradeHandler(Herald herald, Sockets sockets, FrameWriter loop, ErrorHandler errors) {
        this.herald = herald;
        this.sockets = sockets;
        this.loop = loop;
        this.errors = errors;
    }

    @Override
    public final void handle(HttpServerRequest request) {
        try {
            Queries.requireDecodable(request);
            upgrade(request);
        } catch (RuntimeException e) {
            respond(request, e);
        }
    }

    /** Checks the request and upgrades it, or throws {@link HeraldException} to refuse it. */
    protected abstract void upgrade(HttpServerRequest request);

    /** Refuses the request with the JSON error for {@code failure} (for asynchronous refusals). */
    protected final void respond(HttpServerRequest request, Throwable failure) {
        errors.respond(request, failure);
    }

    /**
     * The refusal of an upgrade {@link DirectUpgrades} left to Vert.x because it came pipelined behind a
     * request still unanswered (the only way one of its endpoints' upgrades reaches Vert.x): 400.
     */
    protected static HeraldException pipelined() {
        return new HeraldException(ErrorCode.BAD_REQUEST, "A WebSocket upgrade must not be pipelined behind another request.");
    }

    /**
     * Refuses a request that is not a WebSocket upgrade.
     *
     * @throws HeraldException 400
     */
    protected static void requireUpgrade(HttpServerRequest request, String what) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, what + " only accept WebSocket upgrades.");
        }
    }
}
