package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.TicketService;
import io.herald.config.BroadcastConfig;
import io.herald.config.ConfigException;
import io.herald.datasource.Datasources;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Issues broadcast WebSocket tickets for authenticated sessions: an org ticket carrying the user's
 * roles in the active org, or, when {@code broadcast.wsTicket} is configured and the body names a
 * resource, a resource ticket after the configured SQL check finds a row (run on the datasource's
 * workers, never on the caller's thread). Thread-safe.
 */
public final class TicketIssuer {
    private final TicketService tickets;
    private final Datasources datasources;
    private final BroadcastConfig.WsTicket resource;
    private final String sql;
    private final List<String> params;

    /** An issued ticket and its lifetime in seconds. */
    public record Issued(String ticket, long expiresIn) {
        @Override
        public String toString() {
            return "Issued[expiresIn=" + expiresIn + "]";
        }
    }

    public TicketIssuer(BroadcastConfig config, TicketService tickets, Datasources datasources) {
        this.tickets = tickets;
        this.datasources = datasources;
        this.resource = config.wsTicket();
        if (resource != null) {
            var positional = resource.check().positional();
            this.sql = positional.getKey();
            this.params = positional.getValue();
            validate();
        } else {
            this.sql = null;
            this.params = List.of();
        }
    }

    /** Prepares the check once at start-up so a typo in a table or column fails the start, not a request. */
    private void validate() {
        try {
            datasources.inline(resource.check().datasource(), c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.getParameterMetaData();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new ConfigException("broadcast.wsTicket.check.sql", "does not prepare: " + e.getMessage());
        }
    }

    /**
     * Issues a ticket for {@code principal}; {@code body} is the optional JSON request body.
     *
     * @return a future failed with {@link HeraldException}: 403 for an org the user is not in or a check that
     *     finds no row, 400 for a malformed body or an ambiguous org
     */
    public CompletableFuture<Issued> issue(Principal principal, JsonNode body) {
        if (body != null && !body.isNull() && !body.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The body must be a JSON object.");
        }
        String requestedOrg = body == null ? null : Target.optionalText(body, "organizationId");
        long ttl = tickets.ttl().toSeconds();
        String resourceId = resource == null || body == null ? null : Target.optionalText(body, resource.requestField());
        if (resourceId == null) {
            String org = principal.activeOrg(requestedOrg);
            String t = tickets.mint(principal.userId(), org, principal.rolesIn(org), null, principal.name());
            return CompletableFuture.completedFuture(new Issued(t, ttl));
        }
        if (resourceId.isEmpty() || resourceId.length() > 256) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, resource.requestField() + " must be 1..256 characters.");
        }
        String org = lenientOrg(principal, requestedOrg);
        String scope = resource.scopeTable() + ":" + resourceId;
        Target.scope(scope); // rejects ids the scope-key grammar does not allow
        return datasources.query(resource.check().datasource(), c -> check(c, principal, resourceId, org))
                .thenApply(found -> {
                    if (!found) {
                        throw new HeraldException(ErrorCode.FORBIDDEN, "No access to that resource.");
                    }
                    String t = tickets.mint(principal.userId(), org, List.of(resource.role()), scope, principal.name());
                    return new Issued(t, ttl);
                });
    }

    /** A resource ticket does not need an org; a named one must still be the user's. */
    private static String lenientOrg(Principal p, String requested) {
        if (requested != null) {
            return p.activeOrg(requested);
        }
        try {
            return p.activeOrg(null);
        } catch (HeraldException e) {
            return null;
        }
    }

    private boolean check(java.sql.Connection c, Principal p, String id, String org) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                String value = switch (params.get(i)) {
                    case "id" -> id;
                    case "userId" -> p.userId();
                    case "role" -> resource.role();
                    case "organizationId" -> org;
                    default -> throw new IllegalStateException("unvalidated parameter " + params.get(i));
                };
                ps.setString(i + 1, value);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
