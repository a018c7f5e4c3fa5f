package io.herald.server;

import io.herald.auth.JwtSigner;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.room.builtin.PresenceRoom;
import io.herald.room.builtin.RelayRoom;
import io.herald.room.builtin.YjsRoom;
import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code herald serve} prints in dev mode, once, to stdout (never logged): where the secrets are kept, one
 * line to paste into a shell, then a ready-to-paste command for each primitive that this configuration offers
 * (dev mode adds what they need where the configuration has not taken the names).
 */
final class DevBanner {
    /** The example user: its token is printed as {@code $JWT}. */
    static final String USER = "dev_user";
    static final String ORG = "org_dev";
    static final String CHANNEL = "dev:news";

    private DevBanner() {
    }

    /** The banner's lines for a server of {@code loaded} listening on {@code port}. */
    static List<String> lines(ConfigLoader.Loaded loaded, int port, boolean examples) {
        HeraldConfig cfg = loaded.config();
        boolean tls = cfg.server().tls() != null;
        String host = switch (cfg.server().host()) {
            case "0.0.0.0", "::", "", "[::]" -> "localhost";
            default -> cfg.server().host().contains(":") ? "[" + cfg.server().host() + "]" : cfg.server().host();
        };
        String http = (tls ? "https" : "http") + "://" + host + ":" + port;
        String ws = (tls ? "wss" : "ws") + "://" + host + ":" + port;
        String secret = cfg.auth().jwt().secret();
        // with only an identity provider's keys there is no secret to sign an example with
        String jwt = secret == null ? "'<a JWT from your identity provider>'"
                : new JwtSigner(secret).sign(Map.of(
                        "sub", USER, "name", "Dev User", "orgs", Map.of(ORG, List.of("owner")),
                        "exp", Instant.now().plusSeconds(24 * 3600).getEpochSecond()));
        String json = "-H 'Content-Type: application/json'";
        String server = "-H \"Authorization: Bearer $ACCESS_TOKEN\"";

        List<String> out = new ArrayList<>();
        out.add("");
        String names = String.join(" / ", loaded.generated());
        DevSecrets.Use kept = loaded.devSecrets();
        if (kept != null && kept.kept().containsAll(loaded.generated())) {
            out.add("Dev mode: no " + names + " in the environment, so Herald uses its own, kept in");
            out.add("  " + kept.file().toAbsolutePath().normalize() + (kept.written() ? " (written now)" : " (from an earlier start)")
                    + ": the same after a restart; delete the file for new ones.");
        } else {
            out.add("Dev mode: no " + names + " in the environment, so random ones were generated for this run only.");
        }
        out.add("  For real use set ACCESS_TOKEN and JWT_SECRET (at least 32 characters each) in the environment.");
        out.add("");
        out.add("Paste this into a shell, then the commands below (run each socket command in a terminal of its own):");
        out.add("  export HERALD=" + http + " ACCESS_TOKEN=" + cfg.server().accessToken() + " JWT=" + jwt);
        if (secret != null) {
            out.add("  ($JWT: user " + USER + ", owner in " + ORG + ", 24 h. Others: ./herald token --user u1 --org org_1 --roles owner)");
        }
        out.add("");
        out.add("Health, admin page" + (examples ? " and examples (sign in with the ACCESS_TOKEN)" : "") + ":");
        out.add("  curl $HERALD/healthz");
        if (cfg.admin().enabled()) {
            out.add("  " + http + "/admin/");
        }
        out.add(examples ? "  " + http + "/examples/" : "  (no /examples/: this jar was built without node or with -Dherald.examples.skip)");
        out.add("Broadcast (a ticket, the socket; then publish to the user's org):");
        out.add("  npx wscat -c \"" + ws + "/broadcast/v1/websocket?ws_ticket=$(curl -s -X POST $HERALD/broadcast/v1/ws-ticket"
                + " -H \"Authorization: Bearer $JWT\" | sed -E 's/.*\"wsTicket\":\"([^\"]+)\".*/\\1/')\"");
        out.add("  curl -X POST $HERALD/broadcast/v1/broadcast " + server + " " + json
                + " -d '{\"event\":\"hello\",\"payload\":{\"text\":\"hi\"},\"organizationId\":\"" + ORG + "\"}'");
        binding(cfg, RelayRoom.class, true).ifPresent(party -> {
            out.add("Rooms, relay (open it twice: what one socket sends, the other gets):");
            out.add("  npx wscat -c " + ws + "/parties/" + party + "/r1");
        });
        binding(cfg, PresenceRoom.class, false).ifPresent(party -> {
            out.add("Rooms, presence (who is in the room, and chat):");
            out.add("  npx wscat -c \"" + ws + "/parties/" + party + "/r1?token=$JWT\"");
        });
        binding(cfg, YjsRoom.class, false).ifPresent(party -> {
            out.add("Yjs (y-websocket's binary protocol" + (examples ? "; the editor at /examples/ speaks it" : "") + "):");
            out.add("  npx wscat -c \"" + ws + "/parties/" + party + "/d1?token=$JWT\"");
        });
        if (cfg.channels().publicChannels().contains("dev:*")) {
            out.add("Channels (Server-Sent Events; then publish):");
            out.add("  curl -N $HERALD/sse/" + CHANNEL);
            out.add("  curl -X POST $HERALD/channels/v1/publish " + server + " " + json
                    + " -d '{\"channel\":\"" + CHANNEL + "\",\"event\":\"hello\",\"data\":{\"text\":\"hi\"}}'");
        }
        String lanes = cfg.lanes().basePath();
        out.add("Lanes (connect, send {\"type\":\"subscribe\",\"filters\":[{\"type\":\"hello\"}]}, then publish to the user):");
        out.add("  npx wscat -c \"" + ws + (lanes.isEmpty() ? "/" : lanes + "/websocket") + "?token=$JWT\"");
        out.add("  curl -X POST $HERALD" + lanes + "/publish " + server + " " + json
                + " -d '{\"userId\":\"" + USER + "\",\"type\":\"hello\",\"payload\":{\"text\":\"hi\"}}'");
        if (cfg.server().allowedOrigins().isEmpty()) {
            out.add("Browser pages served from another origin (a Vite or webpack dev server) need it allowed first:");
            out.add("  HERALD_SERVER_ALLOWED_ORIGINS=http://localhost:5173 ./herald serve");
        }
        out.add("Docs: docs/operations.md (command line, dev mode), docs/broadcast.md, rooms.md, yjs.md, channels.md, lanes.md");
        out.add("");
        return out;
    }

    /**
     * The party of a binding of {@code type} that a dev-mode command can open: public for the relay (no token in
     * its command), public or any authenticated session for the others; empty when the configuration has none.
     */
    private static Optional<String> binding(HeraldConfig cfg, Class<?> type, boolean mustBePublic) {
        for (RoomsConfig.Binding b : cfg.rooms().bindings()) {
            RoomsConfig.Access access = b.access();
            boolean open = access.isPublic() || (!mustBePublic && "authenticated".equals(access.mode()));
            if (type.getName().equals(b.className()) && open) {
                return Optional.of(RoomsConfig.partyName(b.name()));
            }
        }
        return Optional.empty();
    }
}
