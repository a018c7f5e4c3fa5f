package io.herald.server.channel;

import io.herald.server.transport.SseTransport;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.channel.ChannelAuthorizer;
import io.herald.channel.ChannelHub;
import io.herald.server.transport.FrameWriter;
import io.herald.server.transport.LivenessSweep;
import io.herald.inspect.Publisher;
import io.herald.server.admin.SocketDirectory;
import io.herald.server.http.JsonBodies;
import io.herald.server.http.Queries;
import io.herald.server.http.RequestCredentials;
import io.herald.server.room.RoomPath;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Channels routes: {@code GET /sse/<channel>} (and {@code /channels/v1/sse/<channel>}) opens a
 * stream after the name check (400), the authorizer (401/403) and the subscriber cap (429);
 * {@code GET /channels/v1/poll/<channel>} answers the same replay as a JSON array;
 * {@code POST /channels/v1/publish} (server credential) publishes. One instance per event loop.
 */
public final class ChannelsHandler {
    private static final Logger log = LoggerFactory.getLogger(ChannelsHandler.class);
    private static final AtomicLong IDS = new AtomicLong();
    private final Herald herald;
    private final FrameWriter loop;
    private final LivenessSweep<SseTransport> keepalives;
    private final JsonBodies bodies;
    private final ObjectMapper json = new ObjectMapper();

    private final SocketDirectory directory;

    /**
     * The handlers of one event loop: its streams are written through {@code loop} and get their keepalives
     * from {@code keepalives} ({@link SseTransport#keepalives}), both that loop's.
     */
    public ChannelsHandler(Herald herald, FrameWriter loop, LivenessSweep<SseTransport> keepalives, JsonBodies bodies) {
        this(herald, loop, keepalives, bodies, SocketDirectory.off());
    }

    /** Handlers whose streams are listed in {@code directory} for the admin page. */
    public ChannelsHandler(Herald herald, FrameWriter loop, LivenessSweep<SseTransport> keepalives, JsonBodies bodies,
            SocketDirectory directory) {
        this.directory = directory;
        this.herald = herald;
        this.loop = loop;
        this.keepalives = keepalives;
        this.bodies = bodies;
    }

    /** {@code GET <prefix><channel>}: the event stream. */
    public void subscribe(RoutingContext ctx, String prefix) {
        HttpServerRequest request = ctx.request();
        String channel = channelName(request.path(), prefix);
        Queries.requireDecodable(request);
        ChannelAuthorizer.Decision reader = authorize(channel, request);
        ChannelHub hub = herald.channels();
        HttpServerResponse response = ctx.response();
        SseTransport t = new SseTransport(request, response, loop, keepalives, herald.config().server().maxPendingBytes(), herald.meters(), "sse-" + IDS.incrementAndGet());
        ChannelHub.Subscription sub = hub.subscribe(channel, lastEventId(request), t);
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache, no-transform")
                .putHeader("X-Accel-Buffering", "no");
        if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            // connection-specific headers are forbidden in HTTP/2 (RFC 9113 8.2.2); clients reject the response
            response.putHeader("Connection", "keep-alive");
        }
        // writes the head; ": connected" and the replay were queued on this loop by the subscribe and follow it
        directory.add(t, "channels", reader.principal().map(io.herald.auth.Principal::userId).orElse(null), channel);
        t.start(() -> {
            sub.close();
            directory.remove(t);
        });
    }

    /** {@code GET /channels/v1/poll/<channel>}: the buffered events after the client's id, as JSON. */
    public void poll(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String channel = channelName(request.path(), "/channels/v1/poll/");
        Queries.requireDecodable(request);
        authorize(channel, request);
        Future.fromCompletionStage(herald.channels().pollAsync(channel, lastEventId(request)), ctx.vertx().getOrCreateContext())
                .onSuccess(entries -> answerPoll(ctx, entries))
                .onFailure(ctx::fail);
    }

    private void answerPoll(RoutingContext ctx, List<ChannelHub.Entry> entries) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (ChannelHub.Entry e : entries) {
                g.writeStartObject();
                g.writeNumberField("id", e.id());
                g.writeStringField("event", e.event());
                g.writeFieldName("data");
                g.writeRawValue(e.data());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new HeraldException(ErrorCode.INTERNAL, "The channel's events could not be encoded.", e);
        }
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(Buffer.buffer(out.toByteArray()));
    }

    /** {@code POST /channels/v1/publish} {@code {"channel","event","data"}} → {@code {"delivered","id"}}. */
    public void publish(RoutingContext ctx) {
        JsonNode body = bodies.read(ctx, false);
        if (!body.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The body must be a JSON object.");
        }
        String channel = text(body, "channel");
        String event = text(body, "event");
        if (!body.has("data")) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "data is required (null is allowed).");
        }
        Future.fromCompletionStage(herald.channels().publish(channel, event, body.get("data"), Publisher.SERVER_TOKEN), ctx.vertx().getOrCreateContext())
                .onSuccess(p -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("delivered", p.delivered()).put("id", p.id()).toBuffer()))
                .onFailure(ctx::fail);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, field + " is required (a string).");
        }
        return n.asText();
    }

    private ChannelAuthorizer.Decision authorize(String channel, HttpServerRequest request) {
        ChannelAuthorizer.Decision d;
        try {
            d = herald.channelAuthorizer().authorize(channel, new RequestCredentials(request));
        } catch (HeraldException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("channel authorizer failed: {}", e.getClass().getName());
            throw new HeraldException(ErrorCode.FORBIDDEN, "Not allowed to read this channel.");
        }
        if (d == null) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "Not allowed to read this channel.");
        }
        return d;
    }

    private String channelName(String path, String prefix) {
        String raw = path.substring(prefix.length());
        if (raw.isEmpty() || raw.contains("/")) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Invalid channel name.");
        }
        String name = RoomPath.decode(raw);
        herald.channels().validateName(name);
        return name;
    }

    /** {@code Last-Event-ID} wins when present (even when not a number); a non-numeric value counts as 0. */
    static long lastEventId(HttpServerRequest request) {
        String header = request.getHeader("Last-Event-ID");
        return lastEventId(header, header != null ? null : request.getParam("lastEventId"));
    }

    /**
     * The id a client resumes after, from its {@code Last-Event-ID} header (null when absent) or else its
     * {@code lastEventId} query parameter: ASCII digits only, else 0; past {@link Long#MAX_VALUE}, that.
     */
    static long lastEventId(String header, String param) {
        String v = header != null ? header.trim() : param;
        if (v == null || v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
