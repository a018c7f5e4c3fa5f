package io.herald.lane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A lane publish on its way to every node: what the filters match on (type, payload), the envelope
 * encoded once by the publishing node, and where acks go. Immutable.
 */
record LaneMessage(String envelopeId, String type, String user, JsonNode payload, String origin, long timeoutMs,
                   EncodedMessage envelope) {

    /** The wire form between nodes: JSON with the envelope's text. */
    static final class Codec implements Broker.Codec<LaneMessage> {
        private final ObjectMapper json;

        Codec(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public byte[] encode(LaneMessage m) {
            ObjectNode n = json.createObjectNode().put("id", m.envelopeId()).put("type", m.type()).put("user", m.user())
                    .put("origin", m.origin()).put("timeoutMs", m.timeoutMs())
                    .put("envelope", new String(m.envelope().bytes(), StandardCharsets.UTF_8));
            n.set("payload", m.payload());
            return n.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public LaneMessage decode(byte[] bytes) {
            try {
                JsonNode n = json.readTree(bytes);
                JsonNode payload = n.get("payload");
                return new LaneMessage(n.get("id").asText(), n.get("type").asText(), n.get("user").asText(),
                        payload == null || payload.isMissingNode() ? null : payload, n.get("origin").asText(),
                        n.get("timeoutMs").asLong(),
                        EncodedMessage.text(n.get("envelope").asText().getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                throw new HeraldException(ErrorCode.INTERNAL, "undecodable lane message", e);
            }
        }
    }
}
