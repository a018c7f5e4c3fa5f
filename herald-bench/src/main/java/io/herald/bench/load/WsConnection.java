package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One benchmark WebSocket: writes the HTTP upgrade itself, checks the 101 and its accept key, then
 * hands every read straight to a {@link FrameParser} (no HTTP or WebSocket codec in the pipeline, so
 * a received frame costs a header decode and a short byte scan). Answers pings, speaks the Engine.IO
 * handshake or the lane subscribe-and-ack protocol when asked to, and counts what it receives in its
 * loop's {@link LoopStats}. Confined to its channel's event loop.
 */
final class WsConnection extends ChannelInboundHandlerAdapter implements FleetSocket, FrameParser.Listener {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HANDSHAKE_BYTES = 16 * 1024;

    private final String host;
    private final String path;
    private final WireProtocol protocol;
    private final WsFleet fleet;
    /** Which of the fleet's servers this socket is connected to. */
    private final int server;
    private final CompletableFuture<WsConnection> ready = new CompletableFuture<>();
    private final FrameParser parser;
    /** The lane frames this socket sends, or null unless it speaks {@link WireProtocol#LANE}. */
    private final LaneFrames lane;
    private final String key;
    private LoopStats stats;
    private Channel channel;
    private ByteBuf handshake;
    private boolean open;
    private boolean probed;
    private long readMicros;
    /** Acks written during this read, flushed together when the read completes. */
    private boolean unflushed;

    WsConnection(String host, String path, WireProtocol protocol, WsFleet fleet, int server) {
        this.host = host;
        this.path = path;
        this.protocol = protocol;
        this.fleet = fleet;
        this.server = server;
        this.lane = protocol == WireProtocol.LANE ? new LaneFrames() : null;
        this.parser = new FrameParser(this, lane == null ? null : LaneFrames.ENVELOPE_ID);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Completes when the socket can receive: after the 101, after the Socket.IO connect for Engine.IO,
     * or after the pong that follows the subscribe for a lane.
     */
    @Override
    public CompletableFuture<WsConnection> ready() {
        return ready;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        stats = fleet.statsFor(ctx.channel().eventLoop(), server);
        handshake = ctx.alloc().heapBuffer(512);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(request.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            // one clock reading per read: every frame in it arrived at the same moment
            readMicros = -1;
            if (open) {
                parser.feed(in);
            } else {
                readHandshake(ctx, in);
            }
        } finally {
            in.release();
        }
    }

    private void readHandshake(ChannelHandlerContext ctx, ByteBuf in) {
        handshake.writeBytes(in);
        String text = handshake.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            if (handshake.readableBytes() > MAX_HANDSHAKE_BYTES) {
                fail(ctx, "upgrade response headers too large");
            }
            return;
        }
        String head = text.substring(0, end);
        if (!head.startsWith("HTTP/1.1 101")) {
            String body = text.substring(end + 4);
            fail(ctx, "upgrade refused: " + head.lines().findFirst().orElse("")
                    + (body.isEmpty() ? "" : " " + body.substring(0, Math.min(200, body.length()))));
            return;
        }
        if (!head.toLowerCase(Locale.ROOT).contains("sec-websocket-accept: " + expectedAccept().toLowerCase(Locale.ROOT))) {
            fail(ctx, "upgrade response has a wrong Sec-WebSocket-Accept");
            return;
        }
        open = true;
        if (protocol == WireProtocol.WEBSOCKET) {
            ready.complete(this);
        } else if (protocol == WireProtocol.LANE) {
            send(LaneFrames.SUBSCRIBE);
            send("ping");
        }
        // frames that came in the same read as the 101 (Engine.IO's open packet often does)
        ByteBuf early = handshake.slice(end + 4, handshake.readableBytes() - end - 4);
        parser.feed(early);
        handshake.release();
        handshake = null;
    }

    private String expectedAccept() {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onMessage(long ts, long length, int b0, int b1) {
        if (protocol == WireProtocol.ENGINE_IO && !engineIoData(length, b0, b1)) {
            return;
        }
        if (lane != null && !laneEnvelope(length, b0, b1)) {
            return;
        }
        if (ts < 0) {
            return;
        }
        if (readMicros < 0) {
            readMicros = BenchClock.micros();
        }
        if (stats.onMessage(ts, readMicros) && !probed) {
            probed = true;
            stats.onProbed();
        }
    }

    /** Handles Engine.IO control packets; true for a Socket.IO event ({@code 42...}). */
    private boolean engineIoData(long length, int b0, int b1) {
        if (b0 == '0') {
            send("40");
        } else if (b0 == '2' && length == 1) {
            send("3");
        } else if (b0 == '4' && b1 == '0') {
            ready.complete(this);
        } else if (b0 == '4' && b1 == '2') {
            return true;
        } else if (b0 == '4' && b1 == '4') {
            ready.completeExceptionally(new IllegalStateException("Socket.IO refused the namespace connect"));
        }
        return false;
    }

    /**
     * Acks an envelope at once (written now, flushed at the end of the read); the pong after the
     * subscribe makes the socket ready and counts as its readiness probe. True for an envelope.
     */
    private boolean laneEnvelope(long length, int b0, int b1) {
        if (parser.capture().found()) {
            channel.write(lane.ack(channel.alloc(), parser.capture()));
            unflushed = true;
            return true;
        }
        if (length == 4 && b0 == 'p' && b1 == 'o' && !ready.isDone()) {
            probed = true;
            stats.onProbed();
            ready.complete(this);
        }
        return false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Sends a text frame; call on any thread. */
    void send(String text) {
        channel.writeAndFlush(ClientFrames.text(channel.alloc(), text));
    }

    @Override
    public void onPing(byte[] payload, int length) {
        channel.writeAndFlush(ClientFrames.frame(channel.alloc(), ClientFrames.PONG, payload, 0, length));
    }

    @Override
    public void onClose(int code) {
        stats.onCloseCode(code);
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshake != null) {
            handshake.release();
            handshake = null;
        }
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            stats.onClosed();
        } else {
            ready.completeExceptionally(new IllegalStateException("connection closed before it was ready"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        ready.completeExceptionally(new IllegalStateException(why));
        ctx.close();
    }
}
