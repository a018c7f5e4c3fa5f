package io.herald.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code room-fanout}: N sockets in one relay room, S of which send; each message reaches the N − 1 others. */
@Command(name = "room-fanout", mixinStandardHelpOptions = true,
        description = "N sockets in one RelayRoom (/parties/<party>/<room>); --senders of them send, the room relays to the rest.")
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
    boolean needsHeraldSecrets() {
        return false;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.room(o, party, room);
    }

    @Override
    Result run() throws Exception {
        if (senders < 1 || senders >= o.connections) {
            throw new IllegalArgumentException("--senders must be at least 1 and fewer than --connections");
        }
        PayloadTemplate frame = o.target == Target.SOCKETIO
                ? PayloadTemplate.object("42[\"bench\",", o.payload, "]")
                : PayloadTemplate.object("", o.payload, "");
        try (Receivers receivers = receivers(senders, o.connections - senders);
             RoomSenders publisher = new RoomSenders(o, frame)) {
            receivers.prepare();
            ConnectReport connect = receivers.connect();
            publisher.open(o, plan(), senders);
            return new FanoutRun(name(), o, receivers, publisher, n -> n + senders - 1L, senders, Pacing.of(o))
                    .extra("senders", senders)
                    .run(connect);
        }
    }
}
