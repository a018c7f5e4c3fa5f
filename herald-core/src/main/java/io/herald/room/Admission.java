package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * What a party's {@code onBeforeConnect} gate decides about a request: let it in, optionally with
 * {@linkplain Admit#props() props} for the room, or refuse it with a {@link Refusal}. This is Herald's
 * form of PartyServer's hook returning a Request (let in, with data added) or a Response (refused).
 */
public sealed interface Admission permits Admission.Admit, Refusal {
    /** The largest serialised props, as for connection state: they are kept with every connection. */
    int MAX_PROPS_BYTES = RoomConnection.MAX_STATE_BYTES;

    /** Lets the request in without props. */
    static Admission admit() {
        return Admit.NONE;
    }

    /**
     * Lets the request in; the room sees {@code props} in {@link ConnectionContext#props()} and
     * {@link HttpRequest#props()}.
     *
     * @throws IllegalArgumentException when their JSON is over {@link #MAX_PROPS_BYTES}
     */
    static Admission admit(JsonNode props) {
        return new Admit(props);
    }

    /** Refuses the request with {@code status} (400..599) and a message for the JSON error body. */
    static Admission refuse(int status, String message) {
        return new Refusal(status, message);
    }

    /** The request is let in, carrying {@code props} (JSON null for none). Immutable. */
    record Admit(JsonNode props) implements Admission {
        // JSON first: NONE's construction uses it
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Admit NONE = new Admit(NullNode.instance);

        /** Copies {@code props} so the gate cannot change them afterwards; checks their size. */
        public Admit {
            props = props == null ? NullNode.instance : props.deepCopy();
            try {
                if (JSON.writeValueAsBytes(props).length > MAX_PROPS_BYTES) {
                    throw new IllegalArgumentException("props are limited to " + MAX_PROPS_BYTES + " bytes of JSON");
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("props must be JSON", e);
            }
        }
    }
}
