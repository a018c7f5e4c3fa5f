package io.herald.bench.ceiling;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The same-machine ceiling: the best a minimal JVM WebSocket fan-out server does. Every WebSocket
 * upgrade (any path) joins one set of sockets; {@code POST /publish} turns its body into one
 * pre-encoded text frame written to every socket (one task per event loop carries the fan-out); a
 * message from a client is relayed the same way to every other socket, text as text and binary as
 * binary (room fan-out). With {@link Sockets.Flush#COALESCE} (the ceiling) each loop flushes its
 * written sockets once per pass; with {@link Sockets.Flush#NAIVE} it flushes per socket per message,
 * as a server without write coalescing does. No auth, no per-socket state. Thread-safe.
 */
public final class RawFanoutServer implements AutoCloseable {
    private static final int MAX_BODY_BYTES = 1 << 20;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Sockets sockets;
    private final Channel listener;

    private RawFanoutServer(String host, int port, int loops, Sockets.Flush flush) {
        sockets = new Sockets(flush);
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("raw-accept"), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("raw-loop"), NioIoHandler.newFactory());
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(64 * 1024).build())
                .build();
        listener = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY_BYTES),
                                new PublishHandler(sockets), new WebSocketServerProtocolHandler(ws), new RelayHandler(sockets));
                    }
                })
                .bind(host, port).syncUninterruptibly().channel();
    }

    /** Starts the coalescing ceiling on {@code host:port} (0 picks a free port) with {@code loops} I/O threads. */
    public static RawFanoutServer start(String host, int port, int loops) {
        return start(host, port, loops, true);
    }

    /** Starts listening; {@code coalesce} false gives the naive server (a flush per socket per message). */
    public static RawFanoutServer start(String host, int port, int loops, boolean coalesce) {
        return new RawFanoutServer(host, port, loops, coalesce ? Sockets.Flush.COALESCE : Sockets.Flush.NAIVE);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Open WebSockets. */
    public int sockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        sockets.closeAll();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Cli()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** {@code ceiling --port P [--host H] [--event-loops L] [--flush coalesce|naive]}: runs until the process is stopped. */
    @Command(name = "ceiling", mixinStandardHelpOptions = true, description = "The raw Netty WebSocket fan-out ceiling.")
    static final class Cli implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "8090", description = "Port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--event-loops", description = "I/O threads (default: one per core, as Herald).")
        Integer loops;

        @Option(names = "--flush", defaultValue = "coalesce",
                description = "coalesce (the ceiling: one flush per written socket per loop pass) or naive (a flush per socket per message).")
        String flush;

        @Override
        public Integer call() throws InterruptedException {
            int n = loops != null ? loops : Runtime.getRuntime().availableProcessors();
            if (!flush.equals("coalesce") && !flush.equals("naive")) {
                System.err.println("ceiling: --flush must be coalesce or naive, was " + flush);
                return 2;
            }
            RawFanoutServer server = start(host, port, n, flush.equals("coalesce"));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "raw-shutdown"));
            System.out.println("raw fan-out ceiling (" + flush + ") listening on " + host + ":" + server.port() + " with " + n
                    + " event loops (pid " + ProcessHandle.current().pid() + ")");
            stopped.await();
            return 0;
        }
    }
}
