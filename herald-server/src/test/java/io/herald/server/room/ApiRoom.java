package io.herald.server.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.room.Admission;
import io.herald.room.ConnectRequest;
import io.herald.room.ConnectionContext;
import io.herald.room.HttpRequest;
import io.herald.room.HttpResponse;
import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A room for the PartyServer-parity tests (onRequest, tags, props, durable alarms).
 *
 * <p>Its gate refuses room {@code closed} with 423 and otherwise attaches props
 * {@code {"team":<?team or "none">,"kind":"socket"|"http"}}. A socket is tagged {@code team:<team>} plus
 * the comma-separated {@code ?tags=}; on connect it is sent {@code {"id","tags","props"}}. Messages:
 * {@code who:<tag>} answers {@code {"tag","ids"}} from {@code getConnections(tag)}; {@code alarm:<ms>}
 * sets the alarm that far ahead and answers {@code alarm set}. onAlarm counts its runs in storage
 * ({@code fired}) and broadcasts {@code alarm fired <n>}. HTTP: {@code GET} describes the request and
 * the room; {@code POST} stores the body, broadcasts {@code posted:<body>} and answers 201; {@code PUT}
 * echoes the body as text; {@code DELETE} answers 204; any path ending in {@code /boom} throws.
 */
public class ApiRoom extends Room {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    public static Admission onBeforeConnect(ConnectRequest request) {
        if (request.room().equals("closed")) {
            return Admission.refuse(423, "This room is closed.");
        }
        boolean socket = request.header("upgrade").isPresent();
        return Admission.admit(JSON.objectNode()
                .put("team", request.query().getOrDefault("team", "none"))
                .put("kind", socket ? "socket" : "http"));
    }

    @Override
    protected List<String> getConnectionTags(RoomConnection connection, ConnectionContext context) {
        List<String> tags = new ArrayList<>();
        tags.add("team:" + context.props().path("team").asText());
        String extra = context.query().get("tags");
        if (extra != null) {
            tags.addAll(Arrays.asList(extra.split(",", -1)));
        }
        return tags;
    }

    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) {
        ObjectNode hello = JSON.objectNode().put("id", connection.id());
        ArrayNode tags = hello.putArray("tags");
        connection.tags().forEach(tags::add);
        hello.set("props", context.props());
        connection.send(hello.toString());
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) {
        String text = ((RoomMessage.Text) message).text();
        if (text.startsWith("who:")) {
            String tag = text.substring(4);
            ObjectNode answer = JSON.objectNode().put("tag", tag);
            ArrayNode ids = answer.putArray("ids");
            getConnections(tag).forEach(c -> ids.add(c.id()));
            connection.send(answer.toString());
        } else if (text.startsWith("alarm:")) {
            setAlarm(Instant.now().plusMillis(Long.parseLong(text.substring(6))));
            connection.send("alarm set");
        }
    }

    @Override
    protected void onAlarm() {
        int fired = fired() + 1;
        storage().putString("fired", Integer.toString(fired));
        broadcast("alarm fired " + fired);
    }

    private int fired() {
        return storage().getString("fired").map(Integer::parseInt).orElse(0);
    }

    @Override
    protected HttpResponse onRequest(HttpRequest request) {
        if (request.path().endsWith("/boom")) {
            throw new IllegalStateException("secret internals of the room");
        }
        return switch (request.method()) {
            case "GET" -> {
                ObjectNode body = JSON.objectNode()
                        .put("method", request.method())
                        .put("room", name())
                        .put("path", request.path())
                        .put("userId", request.user().map(p -> p.userId()).orElse(null))
                        .put("accept", request.header("accept").orElse(null))
                        .put("connections", connections().size())
                        .put("fired", fired())
                        .put("posted", storage().getString("posted").orElse(null));
                ObjectNode query = body.putObject("query");
                request.query().forEach(query::put);
                body.set("props", request.props());
                yield HttpResponse.json(200, body);
            }
            case "POST" -> {
                storage().putString("posted", request.bodyText());
                broadcast("posted:" + request.bodyText());
                yield HttpResponse.json(201, JSON.objectNode().put("stored", request.body().length))
                        .withHeader("X-Room", name());
            }
            case "PUT" -> HttpResponse.text(200, "put:" + request.bodyText());
            case "DELETE" -> HttpResponse.empty(204);
            default -> HttpResponse.text(405, "no");
        };
    }
}
