package io.herald.server.transport;

import io.herald.Meters;
import io.herald.config.ServerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The handler at the front of every listening channel: each accepted connection passes it before Vert.x
 * sets it up, to be admitted under the server's connection limits and given its {@link ConnectionGuard},
 * or closed there and then. It also puts {@link AcceptFailures} behind Netty's acceptor. One per server,
 * shared by its listening channels: thread-safe.
 */
@ChannelHandler.Sharable
public final class AcceptGuard extends ChannelInboundHandlerAdapter {
    static final String NAME = "herald-accept-guard";

    private final ConnectionCounts counts;
    private final Meters meters;
    private final ServerConfig config;
    private final AcceptFailures failures;
    private final String node;

    /** {@code node}: this node's id in a cluster, sent on every 101 ({@code x-herald-node}); null on one node. */
    public AcceptGuard(ConnectionCounts counts, Meters meters, ServerConfig config, String node) {
        this.node = node;
        this.counts = counts;
        this.meters = meters;
        this.config = config;
        this.failures = new AcceptFailures(meters);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // bound: ServerBootstrap's acceptor is in place, and a failed accept must pass it (it pauses accepting) first
        behindAcceptor(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel accepted && !ConnectionGuard.admit(accepted, counts, meters, config, node)) {
            // never registered, so no pipeline event can close it: what Netty's acceptor does with one it cannot register
            accepted.unsafe().closeForcibly();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        behindAcceptor(ctx);
        ctx.fireExceptionCaught(cause);
    }

    private void behindAcceptor(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(AcceptFailures.NAME) == null) {
            ctx.pipeline().addLast(AcceptFailures.NAME, failures);
        }
    }
}
