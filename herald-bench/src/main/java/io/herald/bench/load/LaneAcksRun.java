package io.herald.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The shape of {@code lane-acks}: every one of the M × S lane sockets is connected and known to be
 * subscribed (by the pong after its subscribe); publishes-with-acks go round-robin over the users
 * through a {@link Pacer} for the warm-up and the window; then the run waits until every publish is
 * answered and reports the POSTs' round trips, the acks against S per publish, and server CPU per
 * publish and per delivery. Runs on the caller's thread; sleeps are fine here, this is the driver.
 */
final class LaneAcksRun {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private final LoadOptions o;
    private final Receivers receivers;
    private final HttpPublisher publisher;
    private final LaneAnswers answers;
    private final int users;
    private final int perUser;

    LaneAcksRun(LoadOptions o, Receivers receivers, HttpPublisher publisher, LaneAnswers answers, int users, int perUser) {
        this.o = o;
        this.receivers = receivers;
        this.publisher = publisher;
        this.answers = answers;
        this.users = users;
        this.perUser = perUser;
    }

    /** What the window produced. */
    private record Window(Pacer.Outcome outcome, long windowNanos, ReceiverReport report, CpuWindow.Usage cpu) {
    }

    /** Runs once the receivers are prepared and connected; every socket must be, or clientCount could not be S. */
    Result run(ConnectReport connect) throws InterruptedException {
        int sockets = users * perUser;
        if (connect.connected() < sockets) {
            throw new IllegalStateException("only " + connect.connected() + " of " + sockets + " lane sockets connected: "
                    + connect.firstError());
        }
        awaitSubscribed(sockets);
        return result(sockets, measure());
    }

    private void awaitSubscribed(int sockets) throws InterruptedException {
        long until = System.nanoTime() + READY_TIMEOUT.toNanos();
        // children report progress every 20 ms, so their sockets show up here a little later
        while (receivers.probed() < sockets) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("only " + receivers.probed() + " of " + sockets + " lane sockets confirmed their subscribe");
            }
            Thread.sleep(10);
        }
    }

    /** Warm-up, the window, then the drain until every publish is answered: CPU from the window's start to the drain's end. */
    private Window measure() throws InterruptedException {
        Pacer pacer = new Pacer(publisher, o.rate, o.window(), receivers::received, perUser);
        pacer.start();
        Thread.sleep(o.warmup.toMillis());

        long from = BenchClock.micros();
        receivers.startMeasure(from);
        onLoop(() -> {
            answers.startAt(from);
            return null;
        });
        List<Long> threads = new ArrayList<>(receivers.localThreadIds());
        threads.add(onLoop(() -> Thread.currentThread().getId()));
        CpuWindow cpu = new CpuWindow(o.serverPid, threads);
        long t0 = System.nanoTime();
        Thread.sleep(o.duration.toMillis());
        Pacer.Outcome outcome = pacer.stop();
        long window = System.nanoTime() - t0;

        // an answer comes after every ack (or the ack timeout): none in flight means nothing more will arrive
        long drainUntil = System.nanoTime() + o.drainTimeout.toNanos();
        while (onLoop(publisher::inFlight) > 0 && System.nanoTime() < drainUntil) {
            Thread.sleep(10);
        }
        CpuWindow.Usage usage = cpu.stop();
        ReceiverReport report = receivers.finish();
        return new Window(outcome, window, report, usage.plusChildren(report.childCpu()));
    }

    private Result result(int sockets, Window w) {
        long sent = w.outcome().sent();
        Histogram post = onLoop(answers::roundTrip);
        long publishes = post.getTotalCount();
        long deliveries = w.report().latency().getTotalCount();
        double seconds = w.windowNanos() / 1e9;
        String voidReason = w.cpu().voidReason();
        return new Result("lane-acks", o.target.name().toLowerCase(Locale.ROOT), sockets, seconds, sent, sent * perUser,
                onLoop(answers::acks), deliveries, deliveries / seconds, Result.Latency.of(post), w.cpu().serverMicrosPer(deliveries),
                w.cpu().toolShare(), w.cpu().tool().maxThreadShare(), voidReason != null, voidReason, extras(w, sent, publishes, seconds));
    }

    private Map<String, Object> extras(Window w, long sent, long publishes, double seconds) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("latency_of", "the whole POST " + LaneAcks.BASE + "/publish: sent -> answered after every ack");
        x.put("users", users);
        x.put("sockets_per_user", perUser);
        x.put("payload_bytes", o.payload);
        x.put("rate", o.rate > 0 ? o.rate : "max");
        x.put("processes", o.processes);
        x.put("publishes_per_s", Math.round(publishes / seconds));
        Double perPublish = w.cpu().serverMicrosPer(publishes);
        x.put("server_cpu_us_per_publish", perPublish == null ? null : Result.round(perPublish));
        // unanswered publishes (still waiting when the drain gave up) are mismatched too
        x.put("mismatched_publishes", onLoop(answers::mismatched) + sent - onLoop(answers::answered));
        String mismatch = onLoop(answers::firstMismatch);
        if (mismatch != null) {
            x.put("first_mismatch", mismatch);
        }
        x.put("envelopes_received", w.report().received());
        x.put("envelopes_lost", sent * perUser - w.report().received());
        // publish -> envelope received by a socket: the outbound half of the round trip
        Result.Latency delivery = Result.Latency.of(w.report().latency());
        Map<String, Long> d = new LinkedHashMap<>();
        if (delivery != null) {
            d.put("p50", delivery.p50());
            d.put("p90", delivery.p90());
            d.put("p99", delivery.p99());
            d.put("max", delivery.max());
        }
        x.put("delivery_latency_us", delivery == null ? null : d);
        x.put("closed_by_server", w.report().closed());
        if (w.report().lastCloseCode() != 0) {
            x.put("last_close_code", w.report().lastCloseCode());
        }
        x.put("publish_errors", onLoop(publisher::failed));
        String firstError = onLoop(publisher::firstError);
        if (firstError != null) {
            x.put("first_error", firstError);
        }
        if (o.rate > 0) {
            x.put("publisher_behind", w.outcome().behind());
        }
        w.cpu().putNoise(x);
        return x;
    }

    private <T> T onLoop(Callable<T> c) {
        try {
            return publisher.loop().submit(c).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publisher loop did not answer", e);
        }
    }
}
