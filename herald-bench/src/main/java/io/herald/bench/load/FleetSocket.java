package io.herald.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.util.concurrent.CompletableFuture;

/** A client socket a {@link WsFleet} opens: its Netty handler, which completes {@link #ready()} once it can receive. */
interface FleetSocket extends ChannelHandler {
    CompletableFuture<? extends FleetSocket> ready();

    Channel channel();
}
