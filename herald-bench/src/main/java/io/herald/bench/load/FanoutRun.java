package io.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The shape shared by the fan-out scenarios: connect the receivers, probe until every socket is
 * known to be subscribed, publish through a {@link Pacer} for the warm-up and then the measured
 * window, wait for what is still on its way, and turn counters, histograms and CPU into a
 * {@link Result}. Runs on the caller's thread; sleeps are fine here, this is the tool's driver.
 */
final class FanoutRun {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final long PROBE_EVERY_MS = 50;

    /** How many sockets each message reaches, given how many receivers connected. */
    interface Fanout {
        long receiversPerMessage(int connectedReceivers);
    }

    private final String scenario;
    private final LoadOptions o;
    private final Receivers receivers;
    private final Publisher publisher;
    private final Fanout fanout;
    private final long publisherProbeTarget;
    private final Pacing pacing;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private Long databasePid;
    private long senderProbes;

    /**
     * @param publisherSockets sockets the publisher itself holds in the fan-out (room senders), 0 for HTTP
     */
    FanoutRun(String scenario, LoadOptions o, Receivers receivers, Publisher publisher, Fanout fanout, long publisherSockets,
              Pacing pacing) {
        this.scenario = scenario;
        this.o = o;
        this.receivers = receivers;
        this.publisher = publisher;
        this.fanout = fanout;
        this.publisherProbeTarget = publisherSockets;
        this.pacing = pacing;
        // room senders hear each other's messages: all but the one that sent a probe
        this.senderProbes = Math.max(0, publisherSockets - 1);
    }

    /** How many of the publisher's own sockets must hear a probe before the run starts (default: all senders but one). */
    FanoutRun senderProbes(long n) {
        senderProbes = n;
        return this;
    }

    FanoutRun extra(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /** Also reads the CPU of the database whose postmaster is {@code pid} over the window ({@code database_cpu_cores}); null: none. */
    FanoutRun database(Long pid) {
        databasePid = pid;
        return this;
    }

    /** What the measured window produced, before it is turned into a {@link Result}. */
    private record Window(Pacer.Outcome outcome, long perMessage, long expected, long windowNanos, ReceiverReport report,
                          CpuWindow.Usage cpu) {
    }

    /** Runs once the receivers are prepared and connected ({@code connect} says how many). */
    Result run(ConnectReport connect) throws InterruptedException {
        if (connect.connected() == 0) {
            throw new IllegalStateException("no socket connected: " + connect.firstError());
        }
        long perMessage = fanout.receiversPerMessage(connect.connected());
        probe(connect.connected());
        long deliveredBefore = onLoop(publisher::serverDelivered);
        Window w = measure(perMessage);
        return result(connect, w, deliveredBefore);
    }

    /** Warm-up, then the window, then the drain: CPU is read from the window's start to the drain's end. */
    private Window measure(long perMessage) throws InterruptedException {
        LongSupplier received = () -> receivers.received() + publisher.received();
        Pacer pacer = new Pacer(publisher, pacing.rate(), o.window(), received, perMessage);
        pacer.start();
        Thread.sleep(pacing.warmup().toMillis());

        long from = BenchClock.micros();
        receivers.startMeasure(from);
        publisher.startMeasure(from);
        List<Long> threads = new ArrayList<>(receivers.localThreadIds());
        threads.add(onLoop(() -> Thread.currentThread().getId()));
        CpuWindow cpu = new CpuWindow(o.serverPids(), o.redisPid, databasePid, threads);
        long t0 = System.nanoTime();
        Thread.sleep(pacing.duration().toMillis());
        Pacer.Outcome outcome = pacer.stop();
        long window = System.nanoTime() - t0;

        long expected = outcome.sent() * perMessage;
        long drainUntil = System.nanoTime() + o.drainTimeout.toNanos();
        while (received.getAsLong() < expected && System.nanoTime() < drainUntil) {
            Thread.sleep(10);
        }
        CpuWindow.Usage usage = cpu.stop();
        ReceiverReport report = receivers.finish();
        if (publisher.report() != null) {
            report = report.plus(publisher.report());
        }
        return new Window(outcome, perMessage, expected, window, report, usage.plusChildren(report.childCpu()));
    }

    private Result result(ConnectReport connect, Window w, long deliveredBefore) {
        Histogram latency = w.report().latency();
        long deliveries = latency.getTotalCount();
        String voidReason = w.cpu().voidReason();
        double seconds = w.windowNanos() / 1e9;
        return new Result(scenario, o.target.name().toLowerCase(java.util.Locale.ROOT), connect.connected() + (int) publisherProbeTarget,
                seconds, w.outcome().sent(), w.expected(), w.report().received(), deliveries, deliveries / seconds,
                Result.Latency.of(latency), w.cpu().serverMicrosPer(deliveries), w.cpu().toolShare(), w.cpu().tool().maxThreadShare(),
                voidReason != null, voidReason, extras(connect, w, deliveredBefore));
    }

    private Map<String, Object> extras(ConnectReport connect, Window w, long deliveredBefore) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("payload_bytes", o.payload);
        x.put("rate", pacing.rate() > 0 ? pacing.rate() : "max");
        x.put("processes", o.processes);
        x.putAll(extra);
        x.put("closed_by_server", w.report().closed());
        if (w.report().lastCloseCode() != 0) {
            x.put("last_close_code", w.report().lastCloseCode());
        }
        x.put("publish_errors", onLoop(publisher::failed));
        String firstError = onLoop(publisher::firstError);
        if (firstError != null) {
            x.put("first_error", firstError);
        }
        long serverDelivered = onLoop(publisher::serverDelivered);
        if (serverDelivered >= 0) {
            x.put("server_delivered", serverDelivered - deliveredBefore);
        }
        if (pacing.rate() > 0) {
            x.put("publisher_behind", w.outcome().behind());
        }
        w.cpu().putNoise(x);
        // the messages of the window (its deliveries over the sockets each reaches), as the CPU is the window's;
        // outcome().sent() also counts the warm-up
        Double redis = w.cpu().redisMicrosPer(Math.round((double) w.report().latency().getTotalCount() / Math.max(1, w.perMessage())));
        if (redis != null) {
            x.put("redis_cpu_us_per_publish", Result.round(redis));
        }
        Double database = w.cpu().databaseCores();
        if (database != null) {
            x.put("database_cpu_cores", Result.round(database));
        }
        if (o.servers().size() > 1) {
            x.put("nodes", nodes(w));
        }
        if (connect.failed() > 0) {
            x.put("connect_failed", connect.failed());
            x.put("connect_error", connect.firstError());
        }
        return x;
    }

    /**
     * Per server of {@code --urls}, in order: what its sockets received and how fast, and its own CPU per
     * delivery to its sockets (the first node also takes the publishes; the others only fan out).
     */
    private List<Map<String, Object>> nodes(Window w) {
        List<ReceiverReport.ServerShare> shares = w.report().servers();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (int i = 0; i < o.servers().size(); i++) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("url", o.servers().get(i).toString());
            if (i < o.serverPids().size()) {
                n.put("pid", o.serverPids().get(i));
            }
            if (i < shares.size()) {
                ReceiverReport.ServerShare share = shares.get(i);
                long deliveries = share.latency().getTotalCount();
                n.put("received", share.received());
                n.put("deliveries", deliveries);
                n.put("deliveries_per_s", Math.round(deliveries / (w.windowNanos() / 1e9)));
                Result.Latency l = Result.Latency.of(share.latency());
                n.put("latency_us", l == null ? null : l.toMap());
                Double cpu = w.cpu().serverMicrosPer(i, deliveries);
                n.put("server_cpu_us_per_delivery", cpu == null ? null : Result.round(cpu));
            }
            Double cores = w.cpu().serverCores(i);
            if (cores != null) {
                n.put("server_cpu_cores", Result.round(cores));
            }
            nodes.add(n);
        }
        return nodes;
    }

    /**
     * Publishes probes (timestamp 0, never counted) until every socket has seen one: a socket whose
     * upgrade completed may not be subscribed yet, and a message sent before that would count as lost.
     */
    private void probe(int connectedReceivers) throws InterruptedException {
        long until = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        while (receivers.probed() < connectedReceivers || publisher.probed() < senderProbes) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("only " + receivers.probed() + " of " + connectedReceivers
                        + " sockets received a probe within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            publisher.loop().execute(() -> publisher.trySend(Measurement.PROBE_TS));
            Thread.sleep(PROBE_EVERY_MS);
        }
        // probes still in flight are not counted, but let them clear before the clock starts
        Thread.sleep(200);
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> c) {
        try {
            return publisher.loop().submit(c).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publisher loop did not answer", e);
        }
    }
}
