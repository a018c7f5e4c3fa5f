package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One client socket in a room, as room code sees it: its id (partysocket's {@code _pk}), the user,
 * its tags, and a small JSON state that survives hibernation. Sends are queued to the socket's event loop, so
 * they may be called from the room's hooks. State is read and written on the room's context.
 */
public final class RoomConnection {
    /** The largest serialised per-connection state, as in PartyServer. */
    public static final int MAX_STATE_BYTES = 2048;
    /** The most tags a connection carries, its id included, as in PartyServer. */
    public static final int MAX_TAGS = 10;
    /** The longest tag, in characters, as in PartyServer. */
    public static final int MAX_TAG_CHARS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final Connection transport;
    private final ConnectionContext context;
    private final boolean moved;
    private JsonNode state = NullNode.instance;
    /** Set once on the room's context, before onConnect; read from hooks on the same context. */
    private List<String> tags;

    RoomConnection(String id, Connection transport, ConnectionContext context) {
        this(id, transport, context, false);
    }

    RoomConnection(String id, Connection transport, ConnectionContext context, boolean moved) {
        this.id = id;
        this.transport = transport;
        this.context = context;
        this.tags = List.of(id);
        this.moved = moved;
    }

    /**
     * True when this socket was already open in the room on another node and joined it again here
     * because the room moved (its node died or stopped) while the socket stayed open: the client did
     * not reconnect, so it sends no new handshake, and whatever it expects at connect (a full state,
     * say) must come from the room. It may also have missed what the room sent just before the move.
     */
    public boolean moved() {
        return moved;
    }

    public String id() {
        return id;
    }

    public String uri() {
        return context.uri();
    }

    public Optional<Principal> user() {
        return context.user();
    }

    /** The user id, or null on a public room without credentials. */
    public String userId() {
        return context.principal() == null ? null : context.principal().userId();
    }

    public ConnectionContext context() {
        return context;
    }

    /**
     * The connection's tags: its id first, then those {@link Room#getConnectionTags} gave at connect.
     * They are kept for the connection's life, through hibernation.
     */
    public List<String> tags() {
        return tags;
    }

    /** Whether {@code tag} is one of {@link #tags()}. */
    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    /**
     * Sets the tags from what the room gave: the id goes first and repeats are dropped, as in PartyServer.
     *
     * @throws IllegalArgumentException naming the rule broken: more than {@link #MAX_TAGS} with the id,
     *         a null or empty tag, or one over {@link #MAX_TAG_CHARS} characters
     */
    void tags(List<String> given) {
        Set<String> all = new LinkedHashSet<>();
        all.add(id);
        for (String t : given == null ? List.<String>of() : given) {
            if (t == null || t.isEmpty()) {
                throw new IllegalArgumentException("a connection tag must be a non-empty string");
            }
            if (t.length() > MAX_TAG_CHARS) {
                throw new IllegalArgumentException("a connection tag is at most " + MAX_TAG_CHARS + " characters");
            }
            all.add(t);
        }
        if (all.size() > MAX_TAGS) {
            throw new IllegalArgumentException("a connection has at most " + MAX_TAGS + " tags, its id included; got " + all.size());
        }
        this.tags = List.copyOf(all);
    }

    /** The connection's state; {@code null} JSON when never set. */
    public JsonNode getState() {
        return state;
    }

    /**
     * Replaces the connection's state.
     *
     * @throws HeraldException 413 when its JSON is over {@link #MAX_STATE_BYTES}
     */
    public void setState(JsonNode value) {
        JsonNode v = value == null ? NullNode.instance : value;
        try {
            if (JSON.writeValueAsBytes(v).length > MAX_STATE_BYTES) {
                throw new HeraldException(ErrorCode.PAYLOAD_TOO_LARGE, "Connection state is limited to " + MAX_STATE_BYTES + " bytes.");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Connection state must be JSON.");
        }
        this.state = v.deepCopy();
    }

    public void send(String text) {
        send(EncodedMessage.text(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public void send(byte[] binary) {
        send(EncodedMessage.binary(binary.clone()));
    }

    public void send(RoomMessage message) {
        send(message.encoded());
    }

    void send(EncodedMessage m) {
        try {
            transport.executor().execute(() -> transport.send(m));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the socket's loop is gone: the socket is closing
        }
    }

    /**
     * True while the socket has more unsent bytes than its soft limit (half its outbound limit): what is
     * sent now waits behind them, and past the outbound limit the socket is closed with 1013. A room may
     * then leave it out of broadcasts and catch it up later. Callable from any thread.
     */
    public boolean congested() {
        return transport.congested();
    }

    /** Closes the socket with {@code code} and {@code reason}, after the messages already sent to it. */
    public void close(int code, String reason) {
        // Sends are queued to the socket's loop; closing from here at once would drop the ones still
        // queued (an error frame sent just before the close, for instance), so the close queues too.
        try {
            transport.executor().execute(() -> transport.close(code, reason));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            transport.close(code, reason);
        }
    }

    Connection transport() {
        return transport;
    }

    @Override
    public String toString() {
        return "RoomConnection[" + id + "]";
    }
}
