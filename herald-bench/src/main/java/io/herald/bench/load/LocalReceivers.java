package io.herald.bench.load;

import java.util.ArrayList;
import java.util.List;

/** Receiving sockets in this process: one {@link WsFleet}. Driven by one thread. */
final class LocalReceivers implements Receivers {
    private final LoadOptions options;
    private final SocketPlan plan;
    private final WireProtocol protocol;
    private final int first;
    private final int count;
    private final Measurement measurement = new Measurement();
    private final WsFleet fleet;
    private List<String> paths;

    LocalReceivers(LoadOptions options, SocketPlan plan, WireProtocol protocol, int first, int count) {
        this.options = options;
        this.plan = plan;
        this.protocol = protocol;
        this.first = first;
        this.count = count;
        this.fleet = new WsFleet("bench-recv", options.eventLoops, options.serverAddresses(), options.sourceIps, measurement);
    }

    @Override
    public void prepare() {
        paths = plan.paths(first, count);
    }

    @Override
    public ConnectReport connect() {
        return fleet.connectAll(paths, first, protocol, options.connectConcurrency, options.connectTimeout);
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
    public void onDelivery(DeliveryHook hook) {
        measurement.hook(hook);
    }

    @Override
    public void startMeasure(long fromMicros) {
        measurement.startAt(fromMicros);
    }

    @Override
    public ReceiverReport finish() {
        measurement.startAt(Long.MAX_VALUE);
        List<ReceiverReport.ServerShare> servers = new ArrayList<>();
        if (fleet.serverCount() > 1) {
            for (int s = 0; s < fleet.serverCount(); s++) {
                servers.add(new ReceiverReport.ServerShare(fleet.received(s), fleet.latency(s)));
            }
        }
        return new ReceiverReport(fleet.received(), fleet.closed(), fleet.lastCloseCode(), fleet.latency(), new ToolCpu.Usage(0, 0),
                servers);
    }

    @Override
    public List<Long> localThreadIds() {
        return fleet.threadIds();
    }

    @Override
    public void close() {
        fleet.close();
    }
}
