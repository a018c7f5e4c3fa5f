package io.herald.lane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A socket's answer to an envelope, sent to the node that published it: its ack with the result, or
 * the news that it left without acking. Immutable.
 */
record Reply(String envelopeId, String origin, boolean acked, JsonNode result) {

    /** The wire form between nodes: JSON. */
    static final class Codec implements Broker.Codec<Reply> {
        private final ObjectMapper json;

        Codec(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public byte[] encode(Reply r) {
            ObjectNode n = json.createObjectNode().put("id", r.envelopeId()).put("origin", r.origin()).put("acked", r.acked());
            if (r.result() != null) {
                n.set("result", r.result());
            }
            return n.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Reply decode(byte[] bytes) {
            try {
                JsonNode n = json.readTree(bytes);
                JsonNode result = n.get("result");
                return new Reply(n.get("id").asText(), n.get("origin").asText(), n.get("acked").asBoolean(),
                        result == null || result.isMissingNode() ? null : result);
            } catch (IOException | RuntimeException e) {
                throw new HeraldException(ErrorCode.INTERNAL, "undecodable lane reply", e);
            }
        }
    }
}
