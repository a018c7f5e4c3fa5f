package io.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Many client sockets on a few NIO event loops: WebSockets ({@link WsConnection}), or SSE streams
 * ({@link SseConnection}) for {@link WireProtocol#SSE}. Sockets are spread round-robin over the loopback
 * source addresses 127.0.0.1..127.0.0.N when N &gt; 1 (each source address has its own ~28 000
 * ephemeral ports, so one address runs out long before the loops do). Receives are read in buffers
 * that grow to 64 KiB. With several servers, socket {@code i} connects to server {@link LoadOptions#serverOf}, and
 * what each server's sockets receive is counted apart. Thread-safe; each connection is confined to its loop.
 */
final class WsFleet implements AutoCloseable {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<InetSocketAddress> servers;
    private final List<String> hostHeaders;
    private final List<InetAddress> sources;
    private final Measurement measurement;
    /** Per loop, one {@link LoopStats} per server. */
    private final Map<EventLoop, LoopStats[]> stats = new ConcurrentHashMap<>();
    private final List<FleetSocket> connections = new ArrayList<>();

    WsFleet(String name, int loops, InetSocketAddress server, int sourceIps, Measurement measurement) {
        this(name, loops, List.of(server), sourceIps, measurement);
    }

    WsFleet(String name, int loops, List<InetSocketAddress> servers, int sourceIps, Measurement measurement) {
        this.group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
        this.servers = List.copyOf(servers);
        this.hostHeaders = servers.stream().map(s -> s.getHostString() + ":" + s.getPort()).toList();
        this.sources = sourceIps <= 1 ? List.of() : loopbackSources(sourceIps);
        this.measurement = measurement;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, 64 * 1024));
    }

    private static List<InetAddress> loopbackSources(int n) {
        if (n > 254) {
            throw new IllegalArgumentException("--source-ips is at most 254 (127.0.0.1..127.0.0.254)");
        }
        List<InetAddress> list = new ArrayList<>(n);
        try {
            for (int i = 1; i <= n; i++) {
                list.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return list;
    }

    EventLoopGroup group() {
        return group;
    }

    /** The counters of {@code loop}'s sockets on server {@code server} (an index into the servers). */
    LoopStats statsFor(EventLoop loop, int server) {
        return stats.computeIfAbsent(loop, l -> {
            LoopStats[] perServer = new LoopStats[servers.size()];
            for (int i = 0; i < perServer.length; i++) {
                perServer[i] = new LoopStats(measurement);
            }
            return perServer;
        })[server];
    }

    int serverCount() {
        return servers.size();
    }

    /** Opens socket {@code index} to {@code path} on its server; completes when it is ready to receive. */
    CompletableFuture<? extends FleetSocket> connect(int index, String path, WireProtocol protocol) {
        int s = LoadOptions.serverOf(index, servers.size());
        FleetSocket handler = protocol == WireProtocol.SSE ? new SseConnection(hostHeaders.get(s), path, this, s)
                : new WsConnection(hostHeaders.get(s), path, protocol, this, s);
        InetSocketAddress server = servers.get(s);
        Bootstrap b = bootstrap.clone().handler(handler);
        ChannelFuture f = sources.isEmpty() ? b.connect(server)
                : b.connect(server, new InetSocketAddress(sources.get(index % sources.size()), 0));
        f.addListener(cf -> {
            if (!cf.isSuccess()) {
                handler.ready().completeExceptionally(cf.cause());
            }
        });
        return handler.ready().orTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens one socket per path, at most {@code concurrency} handshakes at a time, and waits up to
     * {@code timeout} for all of them.
     */
    ConnectReport connectAll(List<String> paths, int firstIndex, WireProtocol protocol, int concurrency, Duration timeout) {
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(paths.size());
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= paths.size()) {
                return;
            }
            connect(firstIndex + i, paths.get(i), protocol).whenComplete((c, e) -> {
                if (e == null) {
                    synchronized (connections) {
                        connections.add(c);
                    }
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                    firstError.compareAndSet(null, cause.toString());
                }
                done.countDown();
                startNext[0].run();
            });
        };
        for (int k = 0; k < Math.min(concurrency, paths.size()); k++) {
            startNext[0].run();
        }
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                firstError.compareAndSet(null, "connecting took longer than " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int good = ok.get();
        return new ConnectReport(good, paths.size() - good, firstError.get(), System.nanoTime() - start);
    }

    List<FleetSocket> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    long received() {
        long n = 0;
        for (int s = 0; s < servers.size(); s++) {
            n += received(s);
        }
        return n;
    }

    /** Timestamped messages received by the sockets on server {@code server}. */
    long received(int server) {
        long n = 0;
        for (LoopStats[] s : stats.values()) {
            n += s[server].received();
        }
        return n;
    }

    long probed() {
        long n = 0;
        for (LoopStats[] perServer : stats.values()) {
            for (LoopStats s : perServer) {
                n += s.probed();
            }
        }
        return n;
    }

    long closed() {
        long n = 0;
        for (LoopStats[] perServer : stats.values()) {
            for (LoopStats s : perServer) {
                n += s.closed();
            }
        }
        return n;
    }

    int lastCloseCode() {
        int code = 0;
        for (LoopStats[] perServer : stats.values()) {
            for (LoopStats s : perServer) {
                code = Math.max(code, s.lastCloseCode());
            }
        }
        return code;
    }

    /** A merged copy of every loop's latency histograms, each copied on its own loop. */
    Histogram latency() {
        Histogram merged = new Histogram(LoopStats.MAX_MICROS, 3);
        for (int s = 0; s < servers.size(); s++) {
            merged.add(latency(s));
        }
        return merged;
    }

    /** A merged copy of the latency histograms of the sockets on server {@code server}. */
    Histogram latency(int server) {
        Histogram merged = new Histogram(LoopStats.MAX_MICROS, 3);
        stats.forEach((loop, s) -> merged.add(onLoop(loop, () -> s[server].latency().copy())));
        return merged;
    }

    /** The ids of the loop threads, for per-thread CPU accounting. */
    List<Long> threadIds() {
        List<Long> ids = new ArrayList<>();
        for (EventExecutor e : group) {
            ids.add(onLoop(e, () -> Thread.currentThread().getId()));
        }
        return ids;
    }

    private static <T> T onLoop(EventExecutor loop, java.util.concurrent.Callable<T> task) {
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("event loop did not answer", e);
        }
    }

    @Override
    public void close() {
        for (FleetSocket c : connections()) {
            c.channel().close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
