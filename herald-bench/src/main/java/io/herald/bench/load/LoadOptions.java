package io.herald.bench.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every scenario shares: target, sizes, pacing, credentials and process layout. */
final class LoadOptions {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--urls", split = ",", paramLabel = "URL",
            description = "Several server base URLs, comma-separated (the nodes of one Herald cluster; broadcast-fanout, room-fanout, "
                    + "yjs-edit), in place of --url: socket i connects to URL i mod count (and fetches its ticket there); "
                    + "broadcast-fanout's publisher posts to the first, room-fanout's sender 0 and yjs-edit's client 0 connect first, to the first.")
    List<URI> urls;

    @Option(names = "--target", defaultValue = "herald", description = "herald, raw (the ceiling) or socketio (the peer); yjs-edit: herald, ywebsocket or hocuspocus.")
    Target target;

    @Option(names = {"-n", "--connections"}, defaultValue = "1000", description = "Sockets to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--event-loops", defaultValue = "2", description = "NIO event loops per process (default: ${DEFAULT-VALUE}).")
    int eventLoops;

    @Option(names = "--source-ips", defaultValue = "1",
            description = "Spread sockets over source addresses 127.0.0.1..127.0.0.N (needed past ~28 000 sockets).")
    int sourceIps;

    @Option(names = "--processes", defaultValue = "1",
            description = "Split the receiving sockets over P child processes (each is capped at 20 000 open files here).")
    int processes;

    @Option(names = "--connect-concurrency", defaultValue = "256", description = "Handshakes in flight while connecting.")
    int connectConcurrency;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class, description = "Measured window.")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "2s", converter = DurationConverter.class, description = "Publishing before the window.")
    Duration warmup;

    @Option(names = "--rate", defaultValue = "0", description = "Messages per second; 0 = as fast as the server takes them.")
    double rate;

    @Option(names = "--inflight", defaultValue = "8", description = "Publish requests awaiting their response at most.")
    int inflight;

    @Option(names = "--max-lag", defaultValue = "0",
            description = "Messages published but not yet received by every socket at most (keeps max-rate from overrunning the sockets); "
                    + "0 (the default) = max(2, 50000 / sockets), the window every server is measured with.")
    int maxLag;

    @Option(names = "--payload", defaultValue = "100", description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--jwt-secret", defaultValue = "${env:JWT_SECRET}", description = "Herald's JWT secret, to mint session JWTs.")
    String jwtSecret;

    @Option(names = "--access-token", defaultValue = "${env:ACCESS_TOKEN}", description = "Herald's server credential, to publish.")
    String accessToken;

    @Option(names = "--org", defaultValue = "org_bench", description = "The organization every socket joins.")
    String org;

    @Option(names = "--server-pid", description = "The server's pid: its CPU, RSS are read from /proc.")
    Long serverPid;

    @Option(names = "--server-pids", split = ",", paramLabel = "PID",
            description = "The servers' pids in --urls order, comma-separated, in place of --server-pid: each node's CPU per delivery is reported.")
    List<Long> serverPids;

    @Option(names = "--redis-pid", description = "The redis-server's pid: its CPU per publish (room-fanout: per relayed message) is reported.")
    Long redisPid;

    @Option(names = "--connect-timeout", defaultValue = "120s", converter = DurationConverter.class)
    Duration connectTimeout;

    @Option(names = "--drain-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait after the window for messages still on their way.")
    Duration drainTimeout;

    @Option(names = "--json", description = "Print only the JSON line.")
    boolean jsonOnly;

    @Option(names = "--child", hidden = true)
    boolean child;

    @Option(names = "--first-socket", hidden = true, defaultValue = "0")
    int firstSocket;

    /**
     * A child's share: it opens sockets {@code --first-socket} .. + this. {@code --connections} stays the whole run's,
     * which is what the plan of a socket may depend on (with --primitive rooms, socket i is in room i mod the run's rooms).
     */
    @Option(names = "--child-sockets", hidden = true, defaultValue = "0")
    int childSockets;

    /** Names what one run creates on the server (an SSE channel, lane users); the parent picks it, children inherit it. */
    @Option(names = "--run-id", hidden = true)
    String runId;

    /** The address of {@code --url}, or of the first of {@code --urls}: where the publisher posts. */
    InetSocketAddress serverAddress() {
        return address(url);
    }

    /** The servers the receiving sockets connect to: {@code --urls}, or {@code --url} alone. */
    List<URI> servers() {
        return urls == null || urls.isEmpty() ? List.of(url) : urls;
    }

    List<InetSocketAddress> serverAddresses() {
        return servers().stream().map(LoadOptions::address).toList();
    }

    /** The pids of {@link #servers()} that were given, in the same order (empty without any). */
    List<Long> serverPids() {
        if (serverPids != null && !serverPids.isEmpty()) {
            return serverPids;
        }
        return serverPid == null ? List.of() : List.of(serverPid);
    }

    /**
     * Which of {@code servers} servers socket {@code socket} (an index over the whole run, children included)
     * connects to; its ticket comes from the same server. Round-robin, so every server gets an even share
     * and so does every child process.
     */
    static int serverOf(int socket, int servers) {
        return socket % servers;
    }

    private static InetSocketAddress address(URI u) {
        int port = u.getPort() > 0 ? u.getPort() : 80;
        return new InetSocketAddress(u.getHost(), port);
    }

    /** Checks sizes, and the secrets the scenario needs for Herald's authenticated endpoints. */
    void validate(boolean needsAccessToken, boolean needsJwtSecret) {
        if (urls != null && !urls.isEmpty()) {
            // everything that talks to one server (the publisher, /metrics) talks to the first node
            url = urls.get(0);
        }
        if (serverPids != null && !serverPids.isEmpty()) {
            if (serverPid != null && !serverPids.equals(List.of(serverPid))) {
                throw new IllegalArgumentException("give --server-pid or --server-pids, not both");
            }
            if (serverPids.size() != servers().size()) {
                throw new IllegalArgumentException("--server-pids names " + serverPids.size() + " pids for " + servers().size()
                        + " servers: give one per URL, in the same order");
            }
            serverPid = serverPids.get(0);
        }
        if (connections < 1 || eventLoops < 1 || processes < 1 || inflight < 1 || maxLag < 0 || payload < 0
                || (child && childSockets < 1)) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (target == Target.HERALD && needsAccessToken && accessToken == null) {
            throw new IllegalArgumentException("herald needs --access-token (or ACCESS_TOKEN) to publish");
        }
        if (target == Target.HERALD && needsJwtSecret && jwtSecret == null) {
            throw new IllegalArgumentException("herald needs --jwt-secret (or JWT_SECRET) to mint session JWTs");
        }
    }

    /**
     * The publish window: {@code --max-lag}, or max(2, 50 000 / N) for N sockets, so that at max rate every server
     * (Herald, the ceiling, the peer) has the same number of messages outstanding to coalesce.
     */
    int window() {
        return maxLag > 0 ? maxLag : Math.max(2, 50_000 / connections);
    }
}
