package io.herald.broadcast;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.cluster.Broker;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes broadcast events: envelopes to and from broker bytes, and the client wire form of one
 * variant ({@code postgres_changes} with projection and masking, or {@code broadcast}) with Jackson's
 * streaming generator. Thread-safe.
 */
final class EventCodec {
    private final ObjectMapper json;

    EventCodec(ObjectMapper json) {
        this.json = json;
    }

    byte[] encodeEnvelope(Envelope e) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", e.kind().name());
            g.writeStringField("s", e.scopeKey());
            if (e.userId() != null) {
                g.writeStringField("u", e.userId());
            }
            if (!e.targetRoles().isEmpty()) {
                g.writeArrayFieldStart("r");
                for (String r : e.targetRoles()) {
                    g.writeString(r);
                }
                g.writeEndArray();
            }
            if (e.kind() == Envelope.Kind.CHANGE) {
                g.writeStringField("t", e.table());
                g.writeStringField("e", e.eventType().name());
                g.writeFieldName("n");
                json.writeTree(g, e.newRow());
                g.writeFieldName("o");
                json.writeTree(g, e.oldRow());
                if (e.schema() != null) {
                    g.writeStringField("a", e.schema());
                }
                if (!e.rules().equals(e.table())) {
                    g.writeStringField("b", e.rules());
                }
                if (!e.unchanged().isEmpty()) {
                    g.writeArrayFieldStart("x");
                    for (String c : e.unchanged()) {
                        g.writeString(c);
                    }
                    g.writeEndArray();
                }
            } else {
                g.writeStringField("v", e.event());
                g.writeFieldName("p");
                json.writeTree(g, e.payload());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new HeraldException(ErrorCode.INTERNAL, "encoding failed", ex);
        }
        return out.toByteArray();
    }

    Envelope decodeEnvelope(byte[] bytes) {
        try {
            JsonNode n = json.readTree(bytes);
            List<String> roles = new ArrayList<>();
            n.path("r").forEach(r -> roles.add(r.asText()));
            String user = n.hasNonNull("u") ? n.get("u").asText() : null;
            if ("CHANGE".equals(n.path("k").asText())) {
                List<String> unchanged = new ArrayList<>();
                n.path("x").forEach(c -> unchanged.add(c.asText()));
                return new Envelope(Envelope.Kind.CHANGE, n.path("s").asText(), user, roles, n.path("t").asText(),
                        ChangeEvent.Type.valueOf(n.path("e").asText()), n.get("n"), n.get("o"), null, null,
                        n.hasNonNull("a") ? n.get("a").asText() : null, List.copyOf(unchanged), n.hasNonNull("b") ? n.get("b").asText() : null);
            }
            return new Envelope(Envelope.Kind.BROADCAST, n.path("s").asText(), user, roles, null, null, null, null,
                    n.path("v").asText(), n.get("p"), null, List.of(), null);
        } catch (IOException | IllegalArgumentException ex) {
            throw new HeraldException(ErrorCode.INTERNAL, "undecodable broker message", ex);
        }
    }

    /** A JSON object's bytes with {@code ,"offset":n} inserted before its closing brace. */
    static byte[] withOffset(byte[] object, long offset) {
        byte[] tail = (",\"offset\":" + offset + "}").getBytes(StandardCharsets.US_ASCII);
        int end = object.length - 1;
        if (end < 1 || object[end] != '}') {
            throw new IllegalArgumentException("not a JSON object");
        }
        byte[] out = Arrays.copyOf(object, end + tail.length);
        System.arraycopy(tail, 0, out, end, tail.length);
        return out;
    }

    /** {@code {"type":"position","epoch":e,"offset":n}}: where a resumable socket stands. */
    byte[] position(Broker.Position p) {
        ObjectNode n = json.createObjectNode().put("type", "position").put("epoch", p.epoch()).put("offset", p.offset());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"type":"resumed","recovered":true,"missed":k}}, or {@code recovered:false} without a count. */
    byte[] resumed(boolean recovered, int missed) {
        ObjectNode n = json.createObjectNode().put("type", "resumed").put("recovered", recovered);
        if (recovered) {
            n.put("missed", missed);
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"type":"broadcast","event":...,"payload":...}}. */
    byte[] encodeBroadcast(Envelope e) {
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "broadcast");
            g.writeStringField("event", e.event());
            g.writeFieldName("payload");
            json.writeTree(g, e.payload() == null ? NullNode.instance : e.payload());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new HeraldException(ErrorCode.INTERNAL, "encoding failed", ex);
        }
        return out.toByteArray();
    }

    /** The postgres_changes message for one variant: projected, and masked where {@code visible} lacks the bit. */
    byte[] encodeChange(Envelope e, TableRules rules, long visible) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "postgres_changes");
            g.writeStringField("table", e.table());
            g.writeStringField("schema", e.schema() != null ? e.schema() : rules.schema);
            g.writeStringField("eventType", e.eventType().name());
            g.writeFieldName("new");
            writeRow(g, e.newRow(), rules, visible);
            g.writeFieldName("old");
            writeRow(g, e.oldRow(), rules, visible);
            if (!e.unchanged().isEmpty()) {
                // the columns a subscriber may see whose values the log left out: keep what it has
                g.writeArrayFieldStart("unchanged");
                for (String c : e.unchanged()) {
                    if (rules.projects(c)) {
                        g.writeString(c);
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new HeraldException(ErrorCode.INTERNAL, "encoding failed", ex);
        }
        return out.toByteArray();
    }

    private void writeRow(JsonGenerator g, JsonNode row, TableRules rules, long visible) throws IOException {
        if (row == null || !row.isObject()) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            if (!rules.projects(name)) {
                continue;
            }
            g.writeFieldName(name);
            int m = rules.maskIndex(name);
            JsonNode value = f.getValue();
            if (m < 0 || (visible & (1L << m)) != 0 || value.isNull()) {
                json.writeTree(g, value);
            } else if (value.isTextual()) {
                g.writeString(Masking.mask(rules.maskType(m), value.asText()));
            } else {
                g.writeString(Masking.REDACTED);
            }
        }
        g.writeEndObject();
    }
}
