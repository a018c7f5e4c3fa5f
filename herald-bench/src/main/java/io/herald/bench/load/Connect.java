package io.herald.bench.load;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code connect}: opens N idle authenticated broadcast sockets as fast as the server accepts them,
 * reports the accept rate and the server's RSS and heap growth per socket, then publishes a few
 * messages to prove every socket is live (those are the run's deliveries and latency).
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Open N idle authenticated sockets as fast as possible; accept rate, server RSS and heap per socket.")
final class Connect extends Scenario {
    @Option(names = "--settle", defaultValue = "2s", converter = DurationConverter.class,
            description = "Wait after the last accept before reading memory.")
    Duration settle;

    @Option(names = "--check-duration", defaultValue = "1s", converter = DurationConverter.class,
            description = "Publish at 2 msg/s for this long afterwards to check every socket receives.")
    Duration check;

    @Override
    String name() {
        return "connect";
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.broadcast(o, 1);
    }

    @Override
    Result run() throws Exception {
        ServerProbe server = new ServerProbe(o);
        try (Receivers receivers = receivers(0, o.connections);
             HttpPublisher publisher = BroadcastFanout.publisher(o, BroadcastFanout.Kind.BROADCAST)) {
            long t = System.nanoTime();
            receivers.prepare();
            double ticketSeconds = (System.nanoTime() - t) / 1e9;
            ServerProbe.Snapshot before = server.read();
            ToolCpu connectCpu = new ToolCpu(receivers.localThreadIds());
            ConnectReport connect = receivers.connect();
            ToolCpu.Usage connectUsage = connectCpu.stop();
            ServerProbe.Snapshot accepted = server.read();
            Thread.sleep(settle.toMillis());
            ServerProbe.Snapshot after = server.read();
            publisher.open(o.inflight);
            int n = connect.connected();
            FanoutRun run = new FanoutRun(name(), o, receivers, publisher, c -> c, 0, new Pacing(2, Duration.ZERO, check));
            if (o.target == Target.HERALD) {
                run.extra("tickets_per_s", Math.round(o.connections / ticketSeconds));
            }
            Long cpuPerAccept = ServerProbe.perEach(before.cpuNanos(), accepted.cpuNanos(), n);
            return run.extra("accepts_per_s", Math.round(connect.perSecond()))
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
                    .run(connect);
        }
    }
}
