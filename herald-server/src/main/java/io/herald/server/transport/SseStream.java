package io.herald.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;

/**
 * The only handler of an HTTP/1.1 connection once its SSE stream's head is out: Herald writes the
 * stream's chunks itself from here on, so Vert.x's connection, request and response objects and the HTTP
 * codec (about 2 KiB a stream) can go. What the reader still sends is dropped: an EventSource sends
 * nothing after its request, and a stream's response never ends to let a next request be answered.
 * Confined to its event loop.
 */
final class SseStream extends ChannelInboundHandlerAdapter {
    private static final String NAME = "herald-sse";
    private final Runnable closed;

    private SseStream(Runnable closed) {
        this.closed = closed;
    }

    /**
     * Leaves {@code pipeline} to the stream, whose head Vert.x has just written (encoded already: a write on
     * the loop goes through the encoder at once), and returns the context its chunks are written from;
     * {@code closed} runs when the connection ends. Null when the pipeline is not the plain HTTP/1 one this
     * expects (a compressor would have to see every chunk): the stream then stays with Vert.x.
     */
    static ChannelHandlerContext take(ChannelPipeline pipeline, Runnable closed) {
        if (pipeline.get(HttpContentCompressor.class) != null || pipeline.get(HttpRequestDecoder.class) == null
                || pipeline.get(HttpResponseEncoder.class) == null || pipeline.context("handler") == null) {
            return null;
        }
        ConnectionGuard.streaming(pipeline);
        DirectUpgrades.leave(pipeline);
        // the request's empty end, decoded with its head, still flows past the removed handlers to this one
        pipeline.remove(HttpRequestDecoder.class);
        pipeline.remove(HttpResponseEncoder.class);
        pipeline.remove("handler");
        pipeline.addLast(NAME, new SseStream(closed));
        return pipeline.context(NAME);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed.run();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the reader, or a failed write: the stream ends, and channelInactive says so
        ctx.close();
    }
}
