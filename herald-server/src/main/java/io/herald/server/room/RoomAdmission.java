package io.herald.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.Ticket;
import io.herald.room.AccessGate;
import io.herald.room.Admission;
import io.herald.room.ConnectRequest;
import io.herald.room.Refusal;
import io.herald.room.RoomBinding;
import io.herald.server.transport.DirectUpgrades;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a request to a room URL passes before the room sees it, the same for socket upgrades and plain
 * HTTP requests: the party (404), the room id (400), credentials (session, {@code ?token=}, API key or
 * {@code ?ws_ticket=}; 401), the organization asked for (403), the party's access gate, and its
 * {@code onBeforeConnect} (its own status, {@code connection_refused}). Confined to its event loop.
 */
final class RoomAdmission {
    private static final Logger log = LoggerFactory.getLogger(RoomAdmission.class);
    private final Herald herald;
    private final Context context;
    private final String prefix;

    RoomAdmission(Herald herald, Context context, String prefix) {
        this.herald = herald;
        this.context = context;
        this.prefix = prefix;
    }

    /** A room URL resolved to its party's binding. */
    record Target(RoomBinding binding, RoomPath path) {
    }

    /**
     * A request let in: who sent it, the organization it acts in (null when none could be resolved),
     * its query and headers as the room sees them, and the props {@code onBeforeConnect} attached.
     */
    record Admitted(Target target, Principal principal, String activeOrgId, Map<String, String> query,
                    Map<String, String> headers, JsonNode props) {
    }

    /** {@code onBeforeConnect} refused: answered with its status and message, not an {@link ErrorCode}. */
    static final class Refused extends RuntimeException implements DirectUpgrades.StatusRefusal {
        private static final long serialVersionUID = 1L;
        final transient Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }

        @Override
        public int status() {
            return refusal.status();
        }

        @Override
        public String code() {
            return "connection_refused";
        }

        @Override
        public String message() {
            return refusal.message();
        }
    }

    /**
     * The party and room of {@code request}.
     *
     * @throws HeraldException 404 unknown party or no room, 400 a bad room id
     */
    Target target(RoomRequestView request) {
        RoomPath path = RoomPath.parse(request.rawPath(), prefix);
        RoomBinding binding = herald.rooms().binding(path.party())
                .orElseThrow(() -> new HeraldException(ErrorCode.NOT_FOUND, "Unknown party."));
        return new Target(binding, path);
    }

    /**
     * The sender of {@code request}, null on a public party without credentials.
     *
     * @throws HeraldException 401 missing or bad credentials, 403 a resource-scoped ticket
     */
    Principal authenticate(RoomRequestView request, Target target) {
        boolean publicRoom = gate(target).isPublic();
        String ticket = request.param("ws_ticket");
        if (ticket != null) {
            Ticket t = herald.tickets().verify(ticket);
            if (t.resourceScope().isPresent()) {
                // a resource ticket grants one broadcast scope, not a session
                throw new HeraldException(ErrorCode.FORBIDDEN, "A resource-scoped ticket does not open rooms.");
            }
            Map<String, List<String>> orgs = t.organizationId() == null ? Map.of() : Map.of(t.organizationId(), t.roles());
            return new Principal(t.userId(), orgs, t.organizationId(), t.name(), Map.of());
        }
        var creds = request.credentials();
        if (publicRoom && !herald.sessions().hasCredentials(creds)) {
            return null;
        }
        return herald.sessions().authenticate(creds, true);
    }

    /**
     * Checks the organization asked for, the access gate, then {@code onBeforeConnect}. The future
     * completes on this loop; it fails with {@link HeraldException} or {@link Refused}.
     */
    Future<Admitted> admit(RoomRequestView request, Target target, Principal principal) {
        String requestedOrg = request.param("organizationId");
        if (requestedOrg != null && principal != null && !principal.isMemberOf(requestedOrg)) {
            return Future.failedFuture(new HeraldException(ErrorCode.ORGANIZATION_FORBIDDEN));
        }
        Supplier<String> activeOrg = () -> activeOrg(principal, requestedOrg);
        return Future.fromCompletionStage(gate(target).check(principal, target.path().room(), activeOrg), context)
                .map(ok -> beforeConnect(request, target, principal, lenient(activeOrg)));
    }

    private Admitted beforeConnect(RoomRequestView request, Target target, Principal principal, String org) {
        Map<String, String> query = request.query();
        Map<String, String> headers = request.headers();
        RoomBinding binding = target.binding();
        Admission admission;
        try {
            admission = binding.admit(new ConnectRequest(binding.party(), target.path().room(), request.uri(), query, headers,
                    principal, org));
        } catch (RuntimeException e) {
            log.warn("onBeforeConnect of {} threw: {}", binding.party(), e.toString());
            throw new HeraldException(ErrorCode.INTERNAL);
        }
        if (admission instanceof Refusal r) {
            throw new Refused(r);
        }
        return new Admitted(target, principal, org, query, headers, ((Admission.Admit) admission).props());
    }

    /** Answers a refused request: a {@link Refused} with its own status, anything else as {@code errors} maps it. */
    static void respond(HttpServerRequest request, Throwable failure, ErrorHandler errors) {
        if (ErrorHandler.unwrap(failure) instanceof Refused r) {
            ErrorHandler.send(request.response(), r.refusal.status(), "connection_refused", r.refusal.message());
        } else {
            errors.respond(request, failure);
        }
    }

    private AccessGate gate(Target target) {
        return herald.roomGate(target.binding().party()).orElseThrow();
    }

    private static String activeOrg(Principal p, String requested) {
        if (p == null) {
            throw new HeraldException(ErrorCode.UNAUTHENTICATED);
        }
        return p.activeOrg(requested);
    }

    private static String lenient(Supplier<String> activeOrg) {
        try {
            return activeOrg.get();
        } catch (HeraldException e) {
            return null;
        }
    }
}
