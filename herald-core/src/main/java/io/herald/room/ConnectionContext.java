package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.auth.Principal;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Room#onConnect} and {@link Room#getConnectionTags} learn about a new connection's
 * request. Immutable.
 *
 * @param props what the party's {@code onBeforeConnect} gate attached with {@link Admission#admit(JsonNode)};
 *              JSON null when it attached nothing
 */
public record ConnectionContext(String uri, Map<String, String> query, Principal principal, String activeOrgId,
                                JsonNode props) {
    public ConnectionContext {
        query = query == null ? Map.of() : Map.copyOf(query);
        props = props == null ? NullNode.instance : props;
    }

    /** A context without props. */
    public ConnectionContext(String uri, Map<String, String> query, Principal principal, String activeOrgId) {
        this(uri, query, principal, activeOrgId, NullNode.instance);
    }

    public Optional<Principal> user() {
        return Optional.ofNullable(principal);
    }

    public Optional<String> activeOrg() {
        return Optional.ofNullable(activeOrgId);
    }
}
