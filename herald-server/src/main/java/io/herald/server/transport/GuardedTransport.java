package io.herald.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * A Vert.x transport (NIO, epoll or io_uring) whose listening channels carry Herald's {@link AcceptGuard}, the
 * one place that sees every accepted connection before Vert.x sets it up. Vert.x offers no hook there:
 * its connection handler runs only once a connection's protocol is known, which for cleartext HTTP
 * (HTTP/1 or h2c) is after the client's first bytes. Everything else is the wrapped transport's.
 * Immutable; thread-safe.
 */
public final class GuardedTransport implements Transport {
    private final Transport transport;
    private final Spi spi;

    public GuardedTransport(Transport transport, ChannelHandler acceptGuard) {
        this.transport = transport;
        this.spi = new Spi(transport.implementation(), acceptGuard);
    }

    @Override
    public String name() {
        return transport.name();
    }

    @Override
    public boolean available() {
        return transport.available();
    }

    @Override
    public Throwable unavailabilityCause() {
        return transport.unavailabilityCause();
    }

    @Override
    public io.vertx.core.spi.transport.Transport implementation() {
        return spi;
    }

    private record Spi(io.vertx.core.spi.transport.Transport delegate, ChannelHandler acceptGuard)
            implements io.vertx.core.spi.transport.Transport {

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            ChannelFactory<? extends ServerChannel> factory = delegate.serverChannelFactory(domainSocket);
            return () -> {
                ServerChannel channel = factory.newChannel();
                // first in the pipeline: ServerBootstrap adds its acceptor after it once the channel registers
                channel.pipeline().addLast(AcceptGuard.NAME, acceptGuard);
                return channel;
            };
        }

        @Override
        public boolean supportsDomainSockets() {
            return delegate.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return delegate.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return delegate.unavailabilityCause();
        }

        @Override
        public java.net.SocketAddress convert(SocketAddress address) {
            return delegate.convert(address);
        }

        @Override
        public SocketAddress convert(java.net.SocketAddress address) {
            return delegate.convert(address);
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return delegate.ioHandlerFactory();
        }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
            return delegate.eventLoopGroup(type, threads, threadFactory, ioRatio);
        }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return delegate.datagramChannel(family);
        }

        @Override
        public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
            return delegate.datagramChannelFactory();
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return delegate.channelFactory(domainSocket);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) {
            delegate.configure(channel, options);
        }

        @Override
        public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
            delegate.configure(config, domainSocket, bootstrap);
        }

        @Override
        public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
            delegate.configure(config, domainSocket, bootstrap);
        }
    }
}
