package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.List;

/**
 * Room members that also send: each message goes out as one masked text frame from the next sender
 * in turn, and the room relays it to everyone else. Senders receive what the other senders send, so
 * they count deliveries too. With several servers, sender i connects to server {@link LoadOptions#serverOf}, as
 * receivers do. All on one event loop; not thread-safe beyond that.
 */
final class RoomSenders implements Publisher {
    private final WsFleet fleet;
    private final Measurement measurement = new Measurement();
    private final PayloadTemplate frame;
    private List<FleetSocket> senders;
    private int next;
    private long failed;
    private String firstError;

    RoomSenders(LoadOptions o, PayloadTemplate frame) {
        this.frame = frame;
        this.fleet = new WsFleet("bench-send", 1, o.serverAddresses(), o.sourceIps, measurement);
    }

    /**
     * Opens the sender sockets (they are sockets {@code 0 .. count-1} of the plan): socket 0 first and alone, so
     * that the room's first connection is on the first server (in a cluster, its node then owns the room), then the rest.
     */
    RoomSenders open(LoadOptions o, SocketPlan plan, int count) {
        List<String> paths = plan.paths(0, count);
        ConnectReport first = fleet.connectAll(paths.subList(0, 1), 0, o.target.protocol(), 1, o.connectTimeout);
        ConnectReport rest = count > 1
                ? fleet.connectAll(paths.subList(1, count), 1, o.target.protocol(), count - 1, o.connectTimeout)
                : new ConnectReport(0, 0, null, 0);
        if (first.connected() + rest.connected() < count) {
            throw new IllegalStateException("senders could not connect: " + (first.firstError() != null ? first.firstError() : rest.firstError()));
        }
        senders = fleet.connections();
        return this;
    }

    @Override
    public EventLoop loop() {
        return fleet.group().next();
    }

    @Override
    public boolean trySend(long ts) {
        Channel ch = senders.get(next).channel();
        if (!ch.isActive()) {
            failed++;
            firstError = firstError == null ? "a sender socket was closed" : firstError;
            return false;
        }
        if (!ch.isWritable()) {
            return false;
        }
        next = (next + 1) % senders.size();
        ByteBuf payload = ch.alloc().buffer(frame.maxLength());
        frame.writeTo(payload, ts);
        ch.writeAndFlush(ClientFrames.frame(ch.alloc(), ClientFrames.TEXT, payload));
        return true;
    }

    @Override
    public void onSlotFree(Runnable r) {
        // no responses: the pacer's tick and its lag limit pace a room
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
        return -1;
    }

    @Override
    public long received() {
        return fleet.received();
    }

    @Override
    public long probed() {
        return fleet.probed();
    }

    @Override
    public void startMeasure(long fromMicros) {
        measurement.startAt(fromMicros);
    }

    @Override
    public ReceiverReport report() {
        List<ReceiverReport.ServerShare> servers = new java.util.ArrayList<>();
        if (fleet.serverCount() > 1) {
            // what senders receive from other senders counts for the node they are on
            for (int s = 0; s < fleet.serverCount(); s++) {
                servers.add(new ReceiverReport.ServerShare(fleet.received(s), fleet.latency(s)));
            }
        }
        return new ReceiverReport(fleet.received(), fleet.closed(), fleet.lastCloseCode(), fleet.latency(), new ToolCpu.Usage(0, 0),
                servers);
    }

    List<Long> threadIds() {
        return fleet.threadIds();
    }

    @Override
    public void close() {
        fleet.close();
    }
}
