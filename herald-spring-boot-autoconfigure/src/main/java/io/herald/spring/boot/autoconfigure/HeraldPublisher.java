package io.herald.spring.boot.autoconfigure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.PublishResult;
import io.herald.broadcast.Target;
import io.herald.channel.ChannelHub;
import io.herald.lane.LaneHub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Publishes from application code to the Herald running in this application, with no network hop: the same
 * validation and fan-out as the HTTP publish API (docs/broadcast.md §5 "In-process from Java"). Payloads may be
 * Jackson 2 {@link JsonNode}s, Jackson 3 nodes (Spring Boot 4's default JSON library), or any value Jackson 2 can
 * turn into JSON (maps, lists, records, beans, strings, numbers, null).
 *
 * <p>Every method returns the engine's future: it completes when the local sockets have been written. Invalid input
 * (an unknown table, an undeclared namespace, a bad target) is thrown as {@link io.herald.HeraldException}.
 * Publishing before the application context has started Herald, or after it stopped, throws
 * {@link IllegalStateException}.
 */
public class HeraldPublisher {
    private final Supplier<Herald> herald;

    /** A publisher to the engine {@code herald} supplies at each call (the server may start after this is made). */
    public HeraldPublisher(Supplier<Herald> herald) {
        this.herald = herald;
    }

    /** The engine, for what this facade does not cover (rooms, tickets, inspection). */
    public Herald herald() {
        return herald.get();
    }

    /** A {@code postgres_changes} event, as built by the caller. */
    public CompletableFuture<PublishResult> publishChange(ChangeEvent change) {
        return herald().broadcast().publish(change);
    }

    /**
     * A {@code postgres_changes} event for a row of {@code table}: the table's rules (required roles, fields, masking)
     * apply per socket.
     *
     * @param newRow the row after the change (null for DELETE)
     * @param oldRow the row before it (null for INSERT)
     */
    public CompletableFuture<PublishResult> publishChange(String table, ChangeEvent.Type type, Object newRow, Object oldRow, Target target) {
        Herald h = herald();
        return h.broadcast().publish(new ChangeEvent(table, type, json(h, newRow, true), json(h, oldRow, true), target));
    }

    /** A custom {@code broadcast} event, as built by the caller. */
    public CompletableFuture<PublishResult> broadcast(BroadcastEvent event) {
        return herald().broadcast().publish(event);
    }

    /**
     * A custom {@code broadcast} event: {@code {"type":"broadcast","event":...,"payload":...}} to the sockets of
     * {@code target}, only those holding one of {@code targetRoles} when any are given.
     */
    public CompletableFuture<PublishResult> broadcast(String event, Object payload, Target target, String... targetRoles) {
        Herald h = herald();
        return h.broadcast().publish(new BroadcastEvent(event, json(h, payload, false), target, List.of(targetRoles)));
    }

    /** {@code data} as {@code event} to every reader of {@code channel} (SSE and WebSocket channels). */
    public CompletableFuture<ChannelHub.Published> channel(String channel, String event, Object data) {
        Herald h = herald();
        return h.channels().publish(channel, event, json(h, data, false));
    }

    /**
     * {@code payload} (null: a message without one) as a message of {@code type} on {@code userId}'s lane: completes
     * when every socket of the user with a matching filter has acked, or after {@code timeout} (at most 30 s).
     */
    public CompletableFuture<LaneHub.PublishResult> lane(String userId, String type, Object payload, Duration timeout) {
        Herald h = herald();
        return h.lanes().publish(userId, type, json(h, payload, true), timeout);
    }

    /** {@code value} as Jackson 2 JSON; a Java null is JSON null, or stays null where {@code keepNull} (no row, no payload). */
    private static JsonNode json(Herald h, Object value, boolean keepNull) {
        if (value == null) {
            return keepNull ? null : com.fasterxml.jackson.databind.node.NullNode.instance;
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value.getClass().getName().startsWith("tools.jackson.databind.")) {
            // a Jackson 3 node (Spring Boot 4's ObjectMapper): its text is JSON
            try {
                return h.json().readTree(value.toString());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not JSON: a " + value.getClass().getName(), e);
            }
        }
        return h.json().valueToTree(value);
    }
}
