package io.herald.room;

import io.herald.auth.Principal;
import java.util.Map;
import java.util.Optional;

/**
 * What a room's static {@code onBeforeConnect} gate sees of an upgrade request, after the configured
 * access gate passed.
 *
 * @param principal the authenticated user, absent on public rooms without credentials
 * @param activeOrgId the active organization when one could be resolved, else null
 */
public record ConnectRequest(String party, String room, String uri, Map<String, String> query,
                             Map<String, String> headers, Principal principal, String activeOrgId) {

    public ConnectRequest {
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public Optional<Principal> user() {
        return Optional.ofNullable(principal);
    }

    /** A header by lower-case name. */
    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }
}
