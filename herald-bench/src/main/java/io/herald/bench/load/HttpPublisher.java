package io.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Publishes over HTTP/1.1 keep-alive connections, one request in flight per connection, so
 * {@code connections} is the cap on publishes awaiting their response. Bodies are taken from the
 * given templates in turn (lane publishes go round-robin over users); each answer goes to an
 * {@link Answers} listener with the timestamp of its request. A closed connection is replaced. All on
 * one event loop of its own; not thread-safe beyond that.
 */
final class HttpPublisher implements Publisher {
    /** Hears every answer on the publisher's loop. */
    interface Answers {
        /**
         * The request stamped {@code ts} was answered with {@code status} and {@code body} ({@code status} 0:
         * its connection closed first, and {@code body} says so).
         */
        void onAnswer(long ts, int status, String body);
    }

    /** Per connection: the timestamp of the request in flight, and whether one is (1) or not (0). */
    private static final AttributeKey<long[]> IN_FLIGHT = AttributeKey.valueOf("bench-in-flight");

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-publish", true),
            NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final Bootstrap bootstrap;
    private final InetSocketAddress server;
    private final String hostHeader;
    private final String path;
    private final String authorization;
    private final List<PayloadTemplate> bodies;
    private final Answers answers;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private Runnable onSlotFree = () -> { };
    private int nextBody;
    private int inFlight;
    private long failed;
    private long serverDelivered;
    private String firstError;
    private boolean closing;

    HttpPublisher(InetSocketAddress server, String path, String bearer, PayloadTemplate body) {
        this(server, path, bearer, List.of(body), (ts, status, text) -> { });
    }

    /** A publisher sending {@code bodies} in turn, telling {@code answers} about every answer. */
    HttpPublisher(InetSocketAddress server, String path, String bearer, List<PayloadTemplate> bodies, Answers answers) {
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("no bodies to publish");
        }
        this.server = server;
        this.hostHeader = server.getHostString() + ":" + server.getPort();
        this.path = path;
        this.authorization = bearer == null ? null : "Bearer " + bearer;
        this.bodies = List.copyOf(bodies);
        this.answers = answers;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Responses());
                    }
                });
    }

    /** Opens {@code connections} keep-alive connections; blocks until they are up. */
    HttpPublisher open(int connections) {
        for (int i = 0; i < connections; i++) {
            Channel ch = bootstrap.connect(server).syncUninterruptibly().channel();
            submit(() -> idle.add(ch));
        }
        return this;
    }

    private void submit(Runnable r) {
        try {
            loop.submit(r).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publisher loop did not answer", e);
        }
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean trySend(long ts) {
        Channel ch = idle.poll();
        if (ch == null) {
            return false;
        }
        PayloadTemplate body = bodies.get(nextBody);
        nextBody = (nextBody + 1) % bodies.size();
        ByteBuf content = ch.alloc().buffer(body.maxLength());
        body.writeTo(content, ts);
        long[] sent = inFlight(ch);
        sent[0] = ts;
        sent[1] = 1;
        inFlight++;
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content);
        request.headers().set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        ch.writeAndFlush(request);
        return true;
    }

    private static long[] inFlight(Channel ch) {
        long[] a = ch.attr(IN_FLIGHT).get();
        if (a == null) {
            a = new long[2];
            ch.attr(IN_FLIGHT).set(a);
        }
        return a;
    }

    @Override
    public void onSlotFree(Runnable r) {
        onSlotFree = r;
    }

    /** Requests sent and not yet answered (nor lost with their connection). */
    int inFlight() {
        return inFlight;
    }

    @Override
    public long failed() {
        return failed;
    }

    @Override
    public String firstError() {
        return firstError;
    }

    @Override
    public long serverDelivered() {
        return serverDelivered;
    }

    private void error(String e) {
        failed++;
        if (firstError == null) {
            firstError = e;
        }
    }

    @Override
    public void close() {
        submit(() -> {
            closing = true;
            idle.forEach(Channel::close);
        });
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Reads one response per request, frees the connection, and asks the pacer for the next. */
    private final class Responses extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            String text = response.content().toString(StandardCharsets.UTF_8);
            if (response.status().code() != 200) {
                error("publish answered " + response.status() + ": " + text);
            } else {
                serverDelivered += delivered(text);
            }
            long[] sent = inFlight(ctx.channel());
            if (sent[1] == 1) {
                sent[1] = 0;
                inFlight--;
                answers.onAnswer(sent[0], response.status().code(), text);
            }
            idle.add(ctx.channel());
            onSlotFree.run();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(ctx.channel());
            long[] sent = inFlight(ctx.channel());
            if (sent[1] == 1) {
                sent[1] = 0;
                inFlight--;
                answers.onAnswer(sent[0], 0, "publish connection closed with a request in flight");
                if (!closing) {
                    error("publish connection closed with a request in flight");
                }
            }
            if (!closing) {
                bootstrap.connect(server).addListener(f -> {
                    if (f.isSuccess()) {
                        idle.add(((io.netty.channel.ChannelFuture) f).channel());
                    } else {
                        error("publish connection could not be reopened: " + f.cause());
                    }
                });
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error(cause.toString());
            ctx.close();
        }
    }

    private static long delivered(String json) {
        int i = json.indexOf("\"delivered\":");
        if (i < 0) {
            return 0;
        }
        long n = 0;
        for (int j = i + "\"delivered\":".length(); j < json.length() && Character.isDigit(json.charAt(j)); j++) {
            n = n * 10 + (json.charAt(j) - '0');
        }
        return n;
    }
}
