package io.herald.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code room-fanout}: N sockets in one relay room, S of which send; each message reaches the N − 1 others. */
@Command(name = "room-fanout", mixinStandardHelpOptions = true,
        description = {"N sockets in one RelayRoom (/parties/<party>/<room>); --senders of them send, the room relays to the rest.",
                "With --urls (the nodes of one Herald cluster), socket i connects to URL i mod count, senders included; sender 0 "
                        + "connects first and alone, so the room is owned by the first URL's node, and the room is named "
                        + "<room>-<run id> so no earlier run's owner holds it."})
final class RoomFanout extends Scenario {
    @Option(names = "--senders", defaultValue = "1", description = "Sockets that send (default: ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--party", defaultValue = "lobby", description = "Party bound to RelayRoom (bench-herald.yaml: LOBBY).")
    String party;

    @Option(names = "--room", defaultValue = "bench")
    String room;

    @Override
    String name() {
        return "room-fanout";
    }

    @Override
    boolean manyServers() {
        return true;
    }

    @Override
    boolean needsHeraldSecrets() {
        return false;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.room(o, party, roomName());
    }

    /**
     * The room's name: {@code --room} on one server; over several, {@code --room} and the run id, so every run
     * starts a room no node holds yet and its owner is the node its first socket reaches.
     */
    private String roomName() {
        return o.servers().size() > 1 ? room + "-" + o.runId : room;
    }

    @Override
    Result run() throws Exception {
        if (senders < 1 || senders >= o.connections) {
            throw new IllegalArgumentException("--senders must be at least 1 and fewer than --connections");
        }
        if (o.servers().size() > 1 && o.target != Target.HERALD) {
            throw new IllegalArgumentException("several --urls are the nodes of one Herald cluster; --target " + o.target + " has no cluster");
        }
        PayloadTemplate frame = o.target == Target.SOCKETIO
                ? PayloadTemplate.object("42[\"bench\",", o.payload, "]")
                : PayloadTemplate.object("", o.payload, "");
        try (Receivers receivers = receivers(senders, o.connections - senders);
             RoomSenders publisher = new RoomSenders(o, frame)) {
            receivers.prepare();
            // the senders first, sender 0 alone: the room's first socket is on the first server, so its node owns the room
            publisher.open(o, plan(), senders);
            ConnectReport connect = receivers.connect();
            FanoutRun run = new FanoutRun(name(), o, receivers, publisher, n -> n + senders - 1L, senders, Pacing.of(o))
                    .extra("senders", senders);
            if (o.servers().size() > 1) {
                run.extra("room", roomName());
            }
            return run.run(connect);
        }
    }
}
