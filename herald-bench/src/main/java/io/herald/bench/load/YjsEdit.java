package io.herald.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code yjs-edit}: K real yjs clients in node type into one shared Y.Text through Herald's YjsRoom, y-websocket's server or Hocuspocus. */
@Command(name = "yjs-edit", mixinStandardHelpOptions = true,
        description = {"-k real yjs clients (node, herald-bench/peer/yjs/yjs-edit.mjs) join one document and each types "
                + "--edits-per-second short markers into a shared Y.Text; reports edit→remote latency, remote deliveries, "
                + "convergence time, identical final documents, and the server's CPU per remote delivery.",
                "Herald: ws://<url>/parties/<party>/<room> (a YjsRoom bound with access public). ywebsocket: ws://<url>/<room>. "
                        + "hocuspocus: ws://<url>, document <room>. -n, --rate and the pacing options are not used.",
                "With --urls (the nodes of one Herald cluster), client i connects to URL i mod count; client 0 connects and syncs "
                        + "first, alone, so the document's room is owned by the first URL's node. --server-pids gives each node's CPU, "
                        + "--redis-pid Redis's."})
final class YjsEdit extends Scenario {
    /** Past this share of one core, node's single thread queues the clients' work: latency is then the clients'. */
    static final double MAX_NODE_SHARE = 0.85;
    /** Typing below this share of K × E updates/s means the clients could not keep the rate: the load was not the one asked for. */
    static final double MIN_RATE_SHARE = 0.90;

    @Option(names = {"-k", "--clients"}, defaultValue = "10", description = "yjs clients in one document (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--edits-per-second", defaultValue = "4", description = "Edits per second per client (default: ${DEFAULT-VALUE}).")
    double editsPerSecond;

    @Option(names = "--party", defaultValue = "yjs", description = "Herald's party of the YjsRoom binding (default: ${DEFAULT-VALUE}).")
    String party;

    @Option(names = "--converge-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait after typing stops for identical documents (default: ${DEFAULT-VALUE}).")
    Duration convergeTimeout;

    @Option(names = "--node-processes", defaultValue = "1",
            description = "Node processes the clients are split over (one thread each: one process saturates near K = 50 × 4 edits/s).")
    int nodeProcesses;

    @Option(names = "--peer-dir", description = "The folder of yjs-edit.mjs (default: herald-bench/peer/yjs, found from here).")
    Path peerDir;

    @Override
    String name() {
        return "yjs-edit";
    }

    @Override
    Set<Target> targets() {
        return EnumSet.of(Target.HERALD, Target.YWEBSOCKET, Target.HOCUSPOCUS);
    }

    @Override
    boolean manyServers() {
        return true;
    }

    @Override
    boolean needsHeraldSecrets() {
        return false; // the bench binding is public: no tickets, no JWTs
    }

    @Override
    SocketPlan plan() {
        throw new IllegalArgumentException("yjs-edit's clients run in node: --processes and --child do not apply");
    }

    @Override
    Result run() throws Exception {
        if (o.processes != 1) {
            plan();
        }
        if (clients < 2 || nodeProcesses < 1 || nodeProcesses > clients) {
            throw new IllegalArgumentException("need -k >= 2 and 1 <= --node-processes <= -k");
        }
        if (o.servers().size() > 1 && o.target != Target.HERALD) {
            throw new IllegalArgumentException("several --urls are the nodes of one Herald cluster; --target " + o.target + " has no cluster");
        }
        NodeEditors node = new NodeEditors(NodeEditors.locate(peerDir));
        node.install();
        long limit = o.connectTimeout.toSeconds() + o.warmup.toSeconds() + o.duration.toSeconds() + convergeTimeout.toSeconds() + 30;
        return result(node.run(nodeProcesses, this::nodeArgs, o.serverPids(), o.redisPid, o.servers().size() > 1, limit));
    }

    /** Process {@code i} holds clients [K·i/P, K·(i+1)/P). */
    private List<String> nodeArgs(int i) {
        int first = clients * i / nodeProcesses;
        int count = clients * (i + 1) / nodeProcesses - first;
        List<String> ws = o.servers().stream().map(u -> u.toString().replaceFirst("^http", "ws").replaceAll("/+$", "")).toList();
        List<String> args = new java.util.ArrayList<>(List.of("--coordinated", "1", "--first-id", Integer.toString(first),
                "--total-clients", Integer.toString(clients), "--target", o.target.name().toLowerCase(Locale.ROOT),
                "--url", ws.get(0), "-k", Integer.toString(count),
                "--edits-per-second", Double.toString(editsPerSecond), "--duration", seconds(o.duration),
                "--warmup", seconds(o.warmup), "--room", "yjs-edit-" + o.runId, "--party", party,
                "--converge-timeout", seconds(convergeTimeout), "--connect-timeout", seconds(o.connectTimeout)));
        if (ws.size() > 1) {
            // client id c connects to ws[c mod count]; the process holding client 0 syncs it alone first and says "lead"
            args.addAll(List.of("--urls", String.join(",", ws)));
            if (first == 0) {
                args.addAll(List.of("--lead", "1"));
            }
        }
        return args;
    }

    /**
     * Per node of {@code --urls}: its CPU in cores over the window. Remote deliveries are not told apart by node
     * (a client counts what it receives, not where its socket is), so the top-level figure is every node's CPU over
     * every remote delivery.
     */
    private List<Map<String, Object>> nodes(CpuWindow.Usage usage) {
        List<Map<String, Object>> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < o.servers().size(); i++) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("url", o.servers().get(i).toString());
            if (i < o.serverPids().size()) {
                n.put("pid", o.serverPids().get(i));
            }
            Double cores = usage.serverCores(i);
            if (cores != null) {
                n.put("server_cpu_cores", Result.round(cores));
            }
            nodes.add(n);
        }
        return nodes;
    }

    private static String seconds(Duration d) {
        return Double.toString(d.toMillis() / 1000.0);
    }

    private Result result(NodeEditors.Outcome run) {
        EditReport r = EditReport.of(run.results());
        CpuWindow.Usage usage = run.usage();
        double seconds = usage.elapsedNanos() / 1e9;
        // node is the tool here: its busiest process's thread share of a core decides whether the run is void
        double nodeShare = run.maxProcessNanos() / (double) usage.elapsedNanos();
        CpuWindow.Usage withNode = usage.plusChildren(new ToolCpu.Usage(run.nodeNanos(), nodeShare));
        String voidReason = nodeShare > MAX_NODE_SHARE
                ? String.format(Locale.ROOT, "a node client process used %.0f %% of a core (limit %.0f %%): its own queueing is in the "
                        + "latency; add --node-processes or lower -k / --edits-per-second", 100 * nodeShare, 100 * MAX_NODE_SHARE)
                : withNode.voidReason();
        double asked = clients * editsPerSecond;
        if (voidReason == null && r.windowEdits() / seconds < MIN_RATE_SHARE * asked) {
            // the node processes were starved of CPU (by each other, the server or other work) before any reached the per-process limit
            voidReason = String.format(Locale.ROOT, "the clients typed %.0f updates/s of the %.0f asked (limit %.0f %%): they were starved of CPU",
                    r.windowEdits() / seconds, asked, 100 * MIN_RATE_SHARE);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("clients", clients);
        extra.put("node_processes", nodeProcesses);
        extra.put("edits_per_second", editsPerSecond);
        extra.put("updates_per_s", Result.round(r.windowEdits() / seconds));
        Double perUpdate = usage.serverMicrosPer(r.windowEdits());
        extra.put("server_cpu_us_per_update", perUpdate == null ? null : Result.round(perUpdate));
        extra.put("convergence_ms", r.convergenceMs());
        extra.put("identical", r.identical());
        // sockets the server closed under the clients (Herald: 1013 slow consumer); each reconnect resyncs the document
        extra.put("closes", r.closes());
        // clients holding updates whose dependencies had not arrived when the window closed
        extra.put("pending_at_window_end", r.pendingAtWindowEnd());
        extra.put("node_cpu_cores", Result.round(run.nodeNanos() / (double) usage.elapsedNanos()));
        extra.put("node_max_process_share", Result.round(nodeShare));
        extra.put("node_loop_delay_p99_ms", r.loopDelayP99Ms());
        extra.put("text_length", r.textLength());
        extra.put("room", r.room());
        if (o.servers().size() > 1) {
            extra.put("nodes", nodes(usage));
            Double redis = usage.redisMicrosPer(r.windowEdits());
            if (redis != null) {
                extra.put("redis_cpu_us_per_update", Result.round(redis));
            }
        }
        withNode.putNoise(extra);
        return new Result(name(), o.target.name().toLowerCase(Locale.ROOT), clients, seconds, r.edits(), r.expected(), r.received(),
                r.windowDeliveries(), r.windowDeliveries() / seconds, r.latency(), usage.serverMicrosPer(r.windowDeliveries()),
                withNode.toolShare(), nodeShare, voidReason != null, voidReason, extra);
    }
}
