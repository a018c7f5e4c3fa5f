package io.herald.bench.load;

import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sse-fanout}: N SSE readers on one channel, one publisher POSTing channel events. */
@Command(name = "sse-fanout", mixinStandardHelpOptions = true,
        description = "N SSE readers on one channel (GET /sse/<channel>); one publisher POSTs /channels/v1/publish.")
final class SseFanout extends Scenario {
    /** Herald's default channels.pattern. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9:_.-]{1,128}");

    @Option(names = "--channel", description = "The channel (default: bench:sse-<run id>, new for every run, so no reader is "
            + "replayed an earlier run's events). It must match a channels.public rule (bench-herald.yaml: bench:*).")
    String channel;

    @Override
    String name() {
        return "sse-fanout";
    }

    @Override
    boolean needsJwtSecret() {
        // public channel: the readers need no session, only the publisher its access token
        return false;
    }

    @Override
    WireProtocol protocol() {
        return WireProtocol.SSE;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.sse(channel());
    }

    private String channel() {
        return channel != null ? channel : "bench:sse-" + o.runId;
    }

    @Override
    Result run() throws Exception {
        if (o.target != Target.HERALD) {
            throw new IllegalArgumentException("sse-fanout is Herald's Channels API; the ceiling and the peer have no SSE");
        }
        if (!NAME.matcher(channel()).matches()) {
            throw new IllegalArgumentException("--channel must match " + NAME.pattern());
        }
        PayloadTemplate body = PayloadTemplate.object("{\"channel\":\"" + channel() + "\",\"event\":\"bench\",\"data\":", o.payload, "}");
        try (Receivers receivers = receivers(0, o.connections);
             HttpPublisher publisher = new HttpPublisher(o.serverAddress(), "/channels/v1/publish", o.accessToken, body)) {
            receivers.prepare();
            ConnectReport connect = receivers.connect();
            publisher.open(o.inflight);
            return new FanoutRun(name(), o, receivers, publisher, n -> n, 0, Pacing.of(o))
                    .extra("channel", channel())
                    .run(connect);
        }
    }
}
