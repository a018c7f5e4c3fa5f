package io.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code connect}: opens N idle sockets of one primitive (broadcast, room, lane or SSE) as fast as the
 * server accepts them, reports the accept rate and the server's RSS growth and live heap (after a GC)
 * per socket, then publishes through that primitive's own path to prove every socket is live (those
 * are the run's deliveries and latency).
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Open N idle sockets of one primitive as fast as possible; accept rate, server RSS growth and live heap per socket.",
                "--primitive rooms: N sockets over N / --room-size rooms of the relay party (the first socket of each room sends "
                        + "the check messages); lanes: one user per socket; sse: N readers of one public channel."})
final class Connect extends Scenario {
    /** What kind of socket the run opens. */
    enum Primitive { BROADCAST, ROOMS, LANES, SSE }

    @Option(names = "--primitive", defaultValue = "broadcast",
            description = "broadcast, rooms, lanes or sse (default: ${DEFAULT-VALUE}).")
    Primitive primitive;

    @Option(names = "--room-size", defaultValue = "100",
            description = "With --primitive rooms: sockets per room; N must be a multiple of it or below it (default: ${DEFAULT-VALUE}).")
    int roomSize;

    @Option(names = "--party", defaultValue = "lobby", description = "With --primitive rooms: a party bound to RelayRoom (bench-herald.yaml: LOBBY).")
    String party;

    @Option(names = "--settle", defaultValue = "2s", converter = DurationConverter.class,
            description = "Wait after the last accept before reading memory.")
    Duration settle;

    @Option(names = "--check-duration", defaultValue = "1s", converter = DurationConverter.class,
            description = "Publish for this long afterwards to check every socket receives: 2 msg/s to every broadcast socket "
                    + "or SSE reader, 2 msg/s to every room, and enough lane publishes to reach every user.")
    Duration check;

    @Override
    String name() {
        return "connect";
    }

    @Override
    java.util.Set<Target> targets() {
        return primitive == Primitive.BROADCAST ? super.targets() : java.util.Set.of(Target.HERALD);
    }

    @Override
    boolean needsJwtSecret() {
        // room sockets and SSE readers are public; the lane plan and broadcast tickets need the secret
        return primitive == Primitive.BROADCAST || primitive == Primitive.LANES;
    }

    @Override
    boolean needsHeraldSecrets() {
        // the room check is sent over room sockets, not published with the access token
        return primitive != Primitive.ROOMS;
    }

    @Override
    WireProtocol protocol() {
        return switch (primitive) {
            case LANES -> WireProtocol.LANE;
            case SSE -> WireProtocol.SSE;
            default -> super.protocol();
        };
    }

    @Override
    SocketPlan plan() {
        return switch (primitive) {
            case BROADCAST -> SocketPlan.broadcast(o, 1);
            case ROOMS -> SocketPlan.rooms(party, "conn-" + o.runId + "-", rooms());
            case LANES -> SocketPlan.lanes(o, 1);
            case SSE -> SocketPlan.sse(channel());
        };
    }

    /** Rooms of {@code --room-size}: socket i is in room i mod rooms, so sockets 0 .. rooms−1 are one of each. */
    private int rooms() {
        return (o.connections + roomSize - 1) / roomSize;
    }

    private String channel() {
        return "bench:conn-" + o.runId;
    }

    @Override
    Result run() throws Exception {
        if (roomSize < 2) {
            throw new IllegalArgumentException("--room-size must be at least 2");
        }
        if (primitive == Primitive.ROOMS && o.connections > roomSize && o.connections % roomSize != 0) {
            throw new IllegalArgumentException("with --primitive rooms, -n must be a multiple of --room-size or below it, so every room "
                    + "is as full and a message's receivers are known");
        }
        int rooms = primitive == Primitive.ROOMS ? rooms() : 0;
        if (o.maxLag == 0) {
            // the publish window is in messages; a room message or a lane publish reaches only a part of the sockets, so
            // the window is one round over all rooms, or over all lanes (their publishes in flight bound them already)
            o.maxLag = switch (primitive) {
                case ROOMS -> rooms * o.window();
                case LANES -> o.connections;
                default -> 0;
            };
        }
        ServerProbe server = new ServerProbe(o);
        try (Receivers receivers = receivers(rooms, o.connections - rooms);
             Publisher publisher = publisher()) {
            // the server at rest, before the tickets are fetched: what they leave behind is part of the sockets' cost
            ServerProbe.Snapshot before = server.readAfterGc();
            long t = System.nanoTime();
            receivers.prepare();
            double ticketSeconds = (System.nanoTime() - t) / 1e9;
            // the accepts' CPU starts here: the tickets' is not an accept's (the ceiling has none)
            ServerProbe.Snapshot prepared = server.read();
            if (publisher instanceof RoomSenders senders) {
                // the senders are sockets of the run too: their rooms are created here
                senders.open(o, plan(), rooms);
            }
            ToolCpu connectCpu = new ToolCpu(receivers.localThreadIds());
            ConnectReport connect = receivers.connect();
            ToolCpu.Usage connectUsage = connectCpu.stop();
            ServerProbe.Snapshot accepted = server.read();
            Thread.sleep(settle.toMillis());
            // the RSS with whatever the connects left (a GC may give memory back), the live heap after a GC; the
            // baseline is the server at rest after a GC, so startup garbage does not hide the growth
            ServerProbe.Snapshot after = server.readThenLiveHeap();
            if (publisher instanceof HttpPublisher http) {
                // a lane publish is answered after its ack, a round trip to the socket: N of them need more in flight
                http.open(primitive == Primitive.LANES ? Math.max(o.inflight, 64) : o.inflight);
            }
            int n = connect.connected() + rooms;
            FanoutRun run = new FanoutRun(name(), o, receivers, publisher, fanout(rooms), rooms, pacing(rooms))
                    // one sender per room: no sender hears another, so none waits for a probe
                    .senderProbes(0)
                    .extra("primitive", primitive.name().toLowerCase(Locale.ROOT));
            if (primitive == Primitive.ROOMS) {
                run.extra("rooms", rooms);
            }
            if (o.target == Target.HERALD && (primitive == Primitive.BROADCAST)) {
                run.extra("tickets_per_s", Math.round(o.connections / ticketSeconds));
            }
            Long cpuPerAccept = ServerProbe.perEach(prepared.cpuNanos(), accepted.cpuNanos(), n);
            Result result = run.extra("accepts_per_s", Math.round(connect.perSecond()))
                    .extra("connect_seconds", Result.round(connect.elapsedNanos() / 1e9))
                    // with --processes the children's share of the connect is not in these two
                    .extra("connect_tool_cpu_share", Result.round((double) connectUsage.cpuNanos() / connect.elapsedNanos()
                            / Runtime.getRuntime().availableProcessors()))
                    .extra("connect_tool_max_thread_share", Result.round(connectUsage.maxThreadShare()))
                    .extra("server_cpu_us_per_accept", cpuPerAccept == null ? null : Result.round(cpuPerAccept / 1000.0))
                    .extra("server_rss_before_bytes", before.rssBytes().isPresent() ? before.rssBytes().getAsLong() : null)
                    .extra("server_rss_after_bytes", after.rssBytes().isPresent() ? after.rssBytes().getAsLong() : null)
                    .extra("server_rss_per_socket_bytes", ServerProbe.perEach(before.rssBytes(), after.rssBytes(), n))
                    .extra("server_heap_per_socket_bytes", ServerProbe.perEach(before.heapBytes(), after.heapBytes(), n))
                    .extra("server_heap_after_gc", before.afterGc() && after.afterGc())
                    .run(connect);
            // lost = 0 proves every socket received only if the check's messages reached every room and every lane
            long needed = primitive == Primitive.LANES ? o.connections : Math.max(1, rooms);
            if (result.published() < needed) {
                throw new IllegalStateException("the check published " + result.published() + " messages, fewer than the "
                        + needed + " that reach every socket once; raise --check-duration");
            }
            return result;
        }
    }

    private Publisher publisher() {
        return switch (primitive) {
            case BROADCAST -> BroadcastFanout.publisher(o, BroadcastFanout.Kind.BROADCAST);
            case ROOMS -> new RoomSenders(o, o.target == Target.SOCKETIO
                    ? PayloadTemplate.object("42[\"bench\",", o.payload, "]")
                    : PayloadTemplate.object("", o.payload, ""));
            case LANES -> new HttpPublisher(o.serverAddress(), LaneAcks.BASE + "/publish", o.accessToken, laneBodies(),
                    (ts, status, text) -> { });
            case SSE -> new HttpPublisher(o.serverAddress(), "/channels/v1/publish", o.accessToken,
                    PayloadTemplate.object("{\"channel\":\"" + channel() + "\",\"event\":\"bench\",\"data\":", o.payload, "}"));
        };
    }

    /** One body per user (socket), taken in turn: N publishes reach every lane once. */
    private List<PayloadTemplate> laneBodies() {
        List<PayloadTemplate> bodies = new ArrayList<>(o.connections);
        for (int u = 0; u < o.connections; u++) {
            bodies.add(PayloadTemplate.object("{\"userId\":\"" + LaneAcks.userId(o.runId, u) + "\",\"type\":\"" + LaneFrames.TYPE
                    + "\",\"payload\":", o.payload, "}"));
        }
        return bodies;
    }

    /** A broadcast or SSE message reaches every socket; a room message the others of its room; a lane publish one socket. */
    private FanoutRun.Fanout fanout(int rooms) {
        return switch (primitive) {
            case BROADCAST, SSE -> c -> c;
            case ROOMS -> c -> (c + rooms) / rooms - 1L;
            case LANES -> c -> 1;
        };
    }

    /**
     * The check's rate: every socket must receive at least once within it, so the room senders (taken in turn) send
     * 2 msg/s per room and the lane publishes (round-robin over the users) cover every user in the check's duration.
     */
    private Pacing pacing(int rooms) {
        double seconds = Math.max(0.001, check.toMillis() / 1000.0);
        double rate = switch (primitive) {
            case BROADCAST, SSE -> 2;
            case ROOMS -> 2.0 * rooms;
            case LANES -> Math.ceil(o.connections / seconds) + 2;
        };
        return new Pacing(rate, Duration.ZERO, check);
    }
}
