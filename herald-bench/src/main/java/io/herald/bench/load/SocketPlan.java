package io.herald.bench.load;

import io.herald.auth.JwtSigner;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Which URL each benchmark socket opens, per target and primitive; Herald broadcast sockets fetch a
 * ticket each, lane sockets carry a session JWT minted here.
 */
interface SocketPlan {
    String SOCKET_IO_PATH = "/socket.io/?EIO=4&transport=websocket";

    /** Request paths (with query) of sockets {@code first .. first+count-1}. */
    List<String> paths(int first, int count);

    /** Broadcast sockets: Herald's ticketed endpoint; the same URL shape, without a real ticket, on the ceiling. */
    static SocketPlan broadcast(LoadOptions o, int roleSets) {
        return broadcast(o, roleSets, 1);
    }

    /** Broadcast sockets spread over {@code orgs} organizations ({@link Tickets}); one organization on the ceiling and the peer. */
    static SocketPlan broadcast(LoadOptions o, int roleSets, int orgs) {
        return switch (o.target) {
            case HERALD -> (first, count) -> {
                Tickets tickets = new Tickets(o.servers(), o.jwtSecret, o.org, roleSets, orgs);
                List<String> paths = new ArrayList<>(count);
                for (String t : tickets.fetch(first, count)) {
                    paths.add("/broadcast/v1/websocket?ws_ticket=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
                }
                return paths;
            };
            case RAW -> (first, count) -> Collections.nCopies(count, "/broadcast/v1/websocket?ws_ticket=raw");
            case SOCKETIO -> (first, count) -> Collections.nCopies(count, SOCKET_IO_PATH);
            case YWEBSOCKET, HOCUSPOCUS -> throw new IllegalArgumentException("broadcast sockets do not exist on " + o.target);
        };
    }

    /** Room sockets: {@code /parties/<party>/<room>?_pk=bench-<i>} (public room, no credentials). */
    static SocketPlan room(LoadOptions o, String party, String room) {
        if (o.target == Target.SOCKETIO) {
            return (first, count) -> Collections.nCopies(count, SOCKET_IO_PATH);
        }
        String base = "/parties/" + party + "/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "?_pk=bench-";
        return (first, count) -> {
            List<String> paths = new ArrayList<>(count);
            for (int i = first; i < first + count; i++) {
                paths.add(base + i);
            }
            return paths;
        };
    }

    /**
     * Room sockets over {@code rooms} rooms: socket {@code i} joins {@code /parties/<party>/<prefix><i mod rooms>}, so
     * sockets {@code 0 .. rooms-1} are one in each room.
     */
    static SocketPlan rooms(String party, String prefix, int rooms) {
        String base = "/parties/" + party + "/" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        return (first, count) -> {
            List<String> paths = new ArrayList<>(count);
            for (int i = first; i < first + count; i++) {
                paths.add(base + (i % rooms) + "?_pk=bench-" + i);
            }
            return paths;
        };
    }

    /** SSE readers: every one reads {@code /sse/<channel>} (a public channel, no credentials). */
    static SocketPlan sse(String channel) {
        String path = "/sse/" + URLEncoder.encode(channel, StandardCharsets.UTF_8);
        return (first, count) -> Collections.nCopies(count, path);
    }

    /**
     * Lane sockets: socket {@code i} is one of the {@code perUser} sockets of user {@code i / perUser}
     * ({@link LaneAcks#userId}), authenticated by a JWT for that user in {@code ?token=}.
     */
    static SocketPlan lanes(LoadOptions o, int perUser) {
        return (first, count) -> {
            JwtSigner signer = new JwtSigner(o.jwtSecret);
            long exp = Instant.now().plusSeconds(3600).getEpochSecond();
            List<String> paths = new ArrayList<>(count);
            for (int i = first; i < first + count; i++) {
                String jwt = signer.sign(Map.of("sub", LaneAcks.userId(o.runId, i / perUser), "exp", exp));
                paths.add(LaneAcks.BASE + "/websocket?token=" + URLEncoder.encode(jwt, StandardCharsets.UTF_8));
            }
            return paths;
        };
    }
}
