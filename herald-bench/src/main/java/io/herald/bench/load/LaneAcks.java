package io.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lane-acks}: M users × S lane sockets that ack every envelope; one publisher times publish-with-acks round trips. */
@Command(name = "lane-acks", mixinStandardHelpOptions = true,
        description = {"--users × --sockets-per-user lane sockets (GET /lanes/v1/websocket?token=<JWT>), each subscribed to type "
                + "\"bench\" and acking every envelope at once; one publisher POSTs /lanes/v1/publish round-robin over the users "
                + "and times the whole POST, which Herald answers after every ack.",
                "-n is not used: the sockets are --users × --sockets-per-user."})
final class LaneAcks extends Scenario {
    /** Herald's default lanes.basePath. */
    static final String BASE = "/lanes/v1";

    @Option(names = "--users", defaultValue = "100", description = "Users, each with its own lane (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--sockets-per-user", defaultValue = "2",
            description = "Sockets per user; every publish must be acked by all of them (default: ${DEFAULT-VALUE}; lanes.maxSocketsPerUser caps it, 20 by default).")
    int perUser;

    @Option(names = "--ack-timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "timeoutMs of every publish: how long Herald waits for the acks (default: ${DEFAULT-VALUE}).")
    Duration ackTimeout;

    @Override
    String name() {
        return "lane-acks";
    }

    @Override
    WireProtocol protocol() {
        return WireProtocol.LANE;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.lanes(o, perUser);
    }

    /** The user id of lane {@code user} in run {@code runId}: a fresh set of lanes per run. */
    static String userId(String runId, int user) {
        return "bench-" + runId + "-" + user;
    }

    @Override
    Result run() throws Exception {
        if (o.target != Target.HERALD) {
            throw new IllegalArgumentException("lane-acks is Herald's User lanes API; the ceiling and the peer have none");
        }
        if (users < 1 || perUser < 1 || ackTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("--users, --sockets-per-user and --ack-timeout must be positive");
        }
        LaneAnswers answers = new LaneAnswers(perUser);
        try (Receivers receivers = receivers(0, users * perUser);
             HttpPublisher publisher = new HttpPublisher(o.serverAddress(), BASE + "/publish", o.accessToken, bodies(), answers)) {
            receivers.prepare();
            ConnectReport connect = receivers.connect();
            publisher.open(o.inflight);
            return new LaneAcksRun(o, receivers, publisher, answers, users, perUser).run(connect);
        }
    }

    /** One body per user, taken in turn: the round-robin over users. */
    private List<PayloadTemplate> bodies() {
        List<PayloadTemplate> bodies = new ArrayList<>(users);
        for (int u = 0; u < users; u++) {
            bodies.add(PayloadTemplate.object("{\"userId\":\"" + userId(o.runId, u) + "\",\"type\":\"" + LaneFrames.TYPE
                    + "\",\"timeoutMs\":" + ackTimeout.toMillis() + ",\"payload\":", o.payload, "}"));
        }
        return bodies;
    }
}
