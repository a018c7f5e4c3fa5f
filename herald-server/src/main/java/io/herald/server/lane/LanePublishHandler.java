package io.herald.server.lane;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Credentials;
import io.herald.auth.Principal;
import io.herald.inspect.Publisher;
import io.herald.auth.SessionAuthenticator;
import io.herald.config.LanesConfig;
import io.herald.server.http.JsonBodies;
import io.herald.server.http.RequestCredentials;
import io.vertx.core.Future;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST <basePath>/publish}: checks the publisher under {@code lanes.publishPolicy} (before the
 * body is read), then publishes and answers {@code {"clientCount":N,"results":[...]}} once every
 * matched socket acked or the timeout passed.
 */
public final class LanePublishHandler {
    /** Where {@link #authorize} leaves who the publisher is, for the publish tail. */
    private static final String PUBLISHER = "herald.publisher";
    private final Herald herald;
    private final JsonBodies bodies;

    public LanePublishHandler(Herald herald, JsonBodies bodies) {
        this.herald = herald;
        this.bodies = bodies;
    }

    /**
     * The publisher check. {@code server}: only the server credential; a valid user session gets 403.
     * {@code any-authenticated}: the server credential or any valid session. Missing or invalid: 401.
     */
    public void authorize(RoutingContext ctx) {
        Credentials creds = new RequestCredentials(ctx.request());
        String bearer = SessionAuthenticator.bearer(creds).orElse(null);
        if (bearer != null && herald.serverCredential().matches(bearer)) {
            ctx.put(PUBLISHER, Publisher.SERVER_TOKEN);
            ctx.next();
            return;
        }
        Principal p = herald.sessions().authenticate(creds, false);
        if (herald.lanes().config().publishPolicy() == LanesConfig.PublishPolicy.SERVER) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "Only the server may publish (lanes.publishPolicy: server).");
        }
        ctx.put(PUBLISHER, publisher(creds, bearer, p));
        ctx.next();
    }

    /** How the publish tail names a session publisher: an API key by its name, anything else by its user. */
    private static Publisher publisher(Credentials creds, String bearer, Principal p) {
        // the authenticator's order: a bearer JWT first, then an API key header, a token query, an API key query
        boolean apiKey = bearer == null && (creds.header("x-api-key").isPresent()
                || (creds.query("token").isEmpty() && (creds.query("api_key").isPresent() || creds.query("key").isPresent())));
        return apiKey ? Publisher.apiKey(p.displayName().orElse(p.userId())) : Publisher.session(p.userId());
    }

    public void publish(RoutingContext ctx) {
        JsonNode body = bodies.read(ctx, false);
        JsonNode user = body.isObject() ? body.get("userId") : null;
        if (user == null || !user.isTextual() || user.asText().isBlank()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "userId is required");
        }
        JsonNode type = body.get("type");
        if (type != null && !type.isNull() && !type.isTextual()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "type must be a string.");
        }
        JsonNode timeout = body.get("timeoutMs");
        if (timeout != null && !timeout.isNull() && (!timeout.isNumber() || timeout.asLong() <= 0)) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "timeoutMs must be a positive number.");
        }
        Duration wait = timeout == null || timeout.isNull() ? null : Duration.ofMillis(timeout.asLong());
        JsonNode payload = body.has("payload") ? body.get("payload") : null;
        Future.fromCompletionStage(herald.lanes().publish(user.asText(), type == null ? null : type.asText(null), payload, wait,
                        ctx.<Publisher>get(PUBLISHER, Publisher.SERVER_TOKEN)),
                        ctx.vertx().getOrCreateContext())
                .onSuccess(r -> {
                    ObjectNode out = herald.json().createObjectNode().put("clientCount", r.clientCount());
                    out.putArray("results").addAll(r.results());
                    ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(out.toString());
                })
                .onFailure(ctx::fail);
    }
}
