package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.auth.Principal;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages between a room's owner node and the nodes forwarding sockets to it, as sent through
 * {@link io.herald.cluster.Broker#send}. A forwarded socket is named by its forwarding node and a number
 * that node gives it ({@code fid}), unique there, so a relay lists numbers rather than connection ids
 * (which are unique only within a room, and chosen by clients). Binary, because frames carry the room's
 * bytes as they are; the connection context and HTTP requests travel as JSON inside. Stateless.
 */
final class RoomWire {
    static final byte JOIN = 1;
    static final byte JOINED = 2;
    static final byte REFUSED = 3;
    static final byte NOT_OWNER = 4;
    static final byte MESSAGE = 5;
    static final byte LEAVE = 6;
    static final byte RELAY = 7;
    static final byte CLOSE = 8;
    static final byte REQUEST = 9;
    static final byte RESPONSE = 10;
    static final byte REQUEST_FAILED = 11;
    static final byte MOVED = 12;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoomWire() {
    }

    /** A decoded message; only the fields of its type are set. */
    static final class Frame {
        byte type;
        String party;
        String room;
        long id;
        String connectionId;
        ConnectionContext context;
        boolean text;
        byte[] bytes;
        long[] ids;
        int code;
        String reason;
        ErrorCode error;
        HttpRequest request;
        HttpResponse response;
    }

    static byte[] join(String party, String room, long fid, String connectionId, ConnectionContext context) {
        return write(JOIN, out -> {
            str(out, party);
            str(out, room);
            out.writeLong(fid);
            str(out, connectionId);
            bytes(out, JSON.writeValueAsBytes(context(context)));
        });
    }

    static byte[] joined(long fid) {
        return write(JOINED, out -> out.writeLong(fid));
    }

    static byte[] refused(long fid, ErrorCode error, String message) {
        return write(REFUSED, out -> {
            out.writeLong(fid);
            str(out, error.name());
            str(out, message == null ? "" : message);
        });
    }

    static byte[] notOwner(long id) {
        return write(NOT_OWNER, out -> out.writeLong(id));
    }

    /** The owner gave the room up (it is stopping): the forwarding node joins the socket wherever the room goes next. */
    static byte[] moved(long fid) {
        return write(MOVED, out -> out.writeLong(fid));
    }

    static byte[] message(long fid, RoomMessage m) {
        return write(MESSAGE, out -> {
            out.writeLong(fid);
            out.writeBoolean(m instanceof RoomMessage.Text);
            bytes(out, m.bytes());
        });
    }

    static byte[] leave(long fid, int code, String reason) {
        return write(LEAVE, out -> {
            out.writeLong(fid);
            out.writeInt(code);
            str(out, reason == null ? "" : reason);
        });
    }

    static byte[] relay(boolean text, byte[] frame, long[] fids, int count) {
        return write(RELAY, out -> {
            out.writeBoolean(text);
            bytes(out, frame);
            out.writeInt(count);
            for (int i = 0; i < count; i++) {
                out.writeLong(fids[i]);
            }
        });
    }

    static byte[] close(long fid, int code, String reason) {
        return write(CLOSE, out -> {
            out.writeLong(fid);
            out.writeInt(code);
            str(out, reason == null ? "" : reason);
        });
    }

    static byte[] request(String party, String room, long rid, HttpRequest r) {
        return write(REQUEST, out -> {
            str(out, party);
            str(out, room);
            out.writeLong(rid);
            ObjectNode n = JSON.createObjectNode();
            n.put("method", r.method());
            n.put("uri", r.uri());
            n.set("query", JSON.valueToTree(r.query()));
            n.set("headers", JSON.valueToTree(r.headers()));
            n.set("principal", principal(r.principal()));
            n.put("activeOrgId", r.activeOrgId());
            n.set("props", r.props());
            bytes(out, JSON.writeValueAsBytes(n));
            bytes(out, r.body());
        });
    }

    static byte[] response(long rid, HttpResponse r) {
        return write(RESPONSE, out -> {
            out.writeLong(rid);
            out.writeInt(r.status());
            bytes(out, JSON.writeValueAsBytes(r.headers()));
            bytes(out, r.body());
        });
    }

    static byte[] requestFailed(long rid, ErrorCode error, String message) {
        return write(REQUEST_FAILED, out -> {
            out.writeLong(rid);
            str(out, error.name());
            str(out, message == null ? "" : message);
        });
    }

    /** @throws IllegalArgumentException when the bytes are not a message of this protocol */
    static Frame read(byte[] body) {
        Frame f = new Frame();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            f.type = in.readByte();
            switch (f.type) {
                case JOIN -> {
                    f.party = str(in);
                    f.room = str(in);
                    f.id = in.readLong();
                    f.connectionId = str(in);
                    f.context = context(JSON.readTree(bytes(in)));
                }
                case JOINED, NOT_OWNER, MOVED -> f.id = in.readLong();
                case REFUSED, REQUEST_FAILED -> {
                    f.id = in.readLong();
                    f.error = ErrorCode.valueOf(str(in));
                    f.reason = str(in);
                }
                case MESSAGE -> {
                    f.id = in.readLong();
                    f.text = in.readBoolean();
                    f.bytes = bytes(in);
                }
                case LEAVE, CLOSE -> {
                    f.id = in.readLong();
                    f.code = in.readInt();
                    f.reason = str(in);
                }
                case RELAY -> {
                    f.text = in.readBoolean();
                    f.bytes = bytes(in);
                    int n = in.readInt();
                    if (n < 0 || n > body.length / 8) {
                        throw new IllegalArgumentException("bad relay count " + n);
                    }
                    f.ids = new long[n];
                    for (int i = 0; i < n; i++) {
                        f.ids[i] = in.readLong();
                    }
                }
                case REQUEST -> {
                    f.party = str(in);
                    f.room = str(in);
                    f.id = in.readLong();
                    JsonNode n = JSON.readTree(bytes(in));
                    f.request = new HttpRequest(n.path("method").asText(), n.path("uri").asText(), strings(n.path("query")),
                            strings(n.path("headers")), bytes(in), principal(n.path("principal")), text(n.path("activeOrgId")),
                            n.path("props"));
                }
                case RESPONSE -> {
                    f.id = in.readLong();
                    int status = in.readInt();
                    Map<String, String> headers = strings(JSON.readTree(bytes(in)));
                    f.response = new HttpResponse(status, headers, bytes(in));
                }
                default -> throw new IllegalArgumentException("unknown room message type " + f.type);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("undecodable room message: " + e, e);
        }
        return f;
    }

    private static JsonNode context(ConnectionContext c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("uri", c.uri());
        n.set("query", JSON.valueToTree(c.query()));
        n.set("principal", principal(c.principal()));
        n.put("activeOrgId", c.activeOrgId());
        n.set("props", c.props());
        return n;
    }

    private static ConnectionContext context(JsonNode n) {
        return new ConnectionContext(text(n.path("uri")), strings(n.path("query")), principal(n.path("principal")),
                text(n.path("activeOrgId")), n.path("props").isMissingNode() ? null : n.path("props"));
    }

    private static JsonNode principal(Principal p) {
        if (p == null) {
            return com.fasterxml.jackson.databind.node.NullNode.instance;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("userId", p.userId());
        n.set("orgs", JSON.valueToTree(p.orgs()));
        n.put("defaultOrg", p.defaultOrg());
        n.put("name", p.name());
        n.set("claims", JSON.valueToTree(p.claims()));
        return n;
    }

    @SuppressWarnings("unchecked")
    private static Principal principal(JsonNode n) {
        if (n == null || !n.isObject()) {
            return null;
        }
        Map<String, List<String>> orgs = new LinkedHashMap<>();
        n.path("orgs").fields().forEachRemaining(e -> {
            List<String> roles = new ArrayList<>();
            e.getValue().forEach(r -> roles.add(r.asText()));
            orgs.put(e.getKey(), roles);
        });
        Map<String, Object> claims = JSON.convertValue(n.path("claims"), Map.class);
        return new Principal(n.path("userId").asText(), orgs, text(n.path("defaultOrg")), text(n.path("name")), claims);
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(byte type, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(type);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }
}
