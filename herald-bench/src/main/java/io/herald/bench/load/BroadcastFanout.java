package io.herald.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code broadcast-fanout}: N sockets in one org, one publisher POSTing broadcasts or table changes. */
@Command(name = "broadcast-fanout", mixinStandardHelpOptions = true,
        description = "N sockets in one org; one publisher POSTs /broadcast/v1/broadcast (or /changes with --kind changes).")
final class BroadcastFanout extends Scenario {
    /** What the publisher posts to Herald. */
    enum Kind { BROADCAST, CHANGES }

    /** The masked table of bench-herald.yaml: each of five fields is shown unmasked to one role. */
    static final String TABLE = "bench_rows";
    private static final String ROW_FIELDS = "\"id\":1,\"ssn\":\"123-45-6789\",\"email\":\"jane@acme.com\","
            + "\"phone\":\"555-123-4567\",\"name\":\"Jane Doe\",\"notes\":\"private note\",";

    @Option(names = "--kind", defaultValue = "broadcast", description = "broadcast (custom events) or changes (postgres_changes on a masked table).")
    Kind kind;

    @Option(names = "--roles", defaultValue = "1", description = "Distinct role sets among the sockets (role0..role{K-1}).")
    int roles;

    @Override
    String name() {
        return "broadcast-fanout";
    }

    @Override
    boolean manyServers() {
        return true;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.broadcast(o, roles);
    }

    @Override
    Result run() throws Exception {
        if (kind == Kind.CHANGES && o.target != Target.HERALD) {
            throw new IllegalArgumentException("--kind changes is Herald's table API; the ceiling and the peer take broadcasts");
        }
        if (o.servers().size() > 1 && o.target != Target.HERALD) {
            // a publish on the ceiling or the peer reaches that server's own sockets only
            throw new IllegalArgumentException("several --urls are the nodes of one Herald cluster; --target " + o.target + " has no cluster");
        }
        try (Receivers receivers = receivers(0, o.connections);
             HttpPublisher publisher = publisher(o, kind)) {
            receivers.prepare();
            ConnectReport connect = receivers.connect();
            publisher.open(o.inflight);
            return new FanoutRun(name(), o, receivers, publisher, n -> n, 0, Pacing.of(o))
                    .extra("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                    .extra("role_sets", roles)
                    .run(connect);
        }
    }

    /** A publisher of {@code kind} to the target's publish endpoint, not yet opened. */
    static HttpPublisher publisher(LoadOptions o, Kind kind) {
        return new HttpPublisher(o.serverAddress(), path(o, kind), o.target == Target.HERALD ? o.accessToken : null, body(o, kind));
    }

    private static String path(LoadOptions o, Kind kind) {
        if (o.target != Target.HERALD) {
            return "/publish";
        }
        return kind == Kind.CHANGES ? "/broadcast/v1/changes" : "/broadcast/v1/broadcast";
    }

    private static PayloadTemplate body(LoadOptions o, Kind kind) {
        return switch (o.target) {
            case HERALD -> kind == Kind.CHANGES
                    ? PayloadTemplate.object("{\"table\":\"" + TABLE + "\",\"eventType\":\"INSERT\",\"organizationId\":\"" + o.org
                            + "\",\"new\":", ROW_FIELDS, o.payload, "}")
                    : PayloadTemplate.object("{\"event\":\"bench\",\"organizationId\":\"" + o.org + "\",\"payload\":", o.payload, "}");
            // the ceiling sends the body as the frame, so it gets the frame Herald would send
            case RAW -> PayloadTemplate.object("{\"type\":\"broadcast\",\"event\":\"bench\",\"payload\":", o.payload, "}");
            case SOCKETIO -> PayloadTemplate.object("", o.payload, "");
            case YWEBSOCKET, HOCUSPOCUS -> throw new IllegalArgumentException("broadcast-fanout does not run against " + o.target);
        };
    }
}
