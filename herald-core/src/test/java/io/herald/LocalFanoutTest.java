package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalFanoutTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LocalFanout fanout = new LocalFanout(new Meters(registry));
    private final List<ExecutorService> loops = new ArrayList<>();
    private final EncodedMessage message = EncodedMessage.text("hi".getBytes(StandardCharsets.UTF_8));

    @AfterEach
    void stop() {
        loops.forEach(ExecutorService::shutdownNow);
    }

    private ExecutorService loop() {
        ExecutorService e = Executors.newSingleThreadExecutor();
        loops.add(e);
        return e;
    }

    /** A connection on {@code loop} that records the thread each send ran on, and may refuse or throw. */
    private static final class Probe implements Connection {
        final ExecutorService loop;
        final String behaviour;
        final List<String> sentOn = new ArrayList<>();
        volatile int closedWith;

        Probe(ExecutorService loop, String behaviour) {
            this.loop = loop;
            this.behaviour = behaviour;
        }

        @Override
        public String id() {
            return behaviour;
        }

        @Override
        public ExecutorService executor() {
            return loop;
        }

        @Override
        public boolean send(EncodedMessage m) {
            sentOn.add(Thread.currentThread().getName());
            if (behaviour.equals("throws")) {
                throw new IllegalStateException("broken transport");
            }
            return !behaviour.equals("refuses");
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }
    }

    @Test
    void eachLoopGetsOneTaskAndEveryConnectionIsWrittenOnItsOwnLoop() throws Exception {
        ExecutorService a = loop();
        ExecutorService b = loop();
        String aName = a.submit(() -> Thread.currentThread().getName()).get();
        String bName = b.submit(() -> Thread.currentThread().getName()).get();
        List<Probe> probes = List.of(new Probe(a, "ok"), new Probe(b, "ok"), new Probe(a, "ok"));

        int n = fanout.toAll("channels", System.nanoTime(), probes, message).get(5, TimeUnit.SECONDS);

        assertThat(n).isEqualTo(3);
        assertThat(probes.get(0).sentOn).containsExactly(aName);
        assertThat(probes.get(1).sentOn).containsExactly(bName);
        assertThat(probes.get(2).sentOn).containsExactly(aName);
        assertThat(registry.get("herald.deliveries").tag("primitive", "channels").counter().count()).isEqualTo(3);
        assertThat(registry.get("herald.fanout.latency").tag("primitive", "channels").timer().count()).isEqualTo(1);
    }

    @Test
    void aThrowingSendIsClosedWithInternalErrorAndItsNeighboursStillGetTheMessage() throws Exception {
        ExecutorService a = loop();
        Probe broken = new Probe(a, "throws");
        Probe refuses = new Probe(a, "refuses");
        Probe fine = new Probe(a, "ok");
        AtomicInteger undelivered = new AtomicInteger();

        int n = fanout.toEach("lanes", 0, List.of(broken, refuses, fine), new LocalFanout.Targets<Probe>() {
            @Override
            public Connection connection(Probe p) {
                return p;
            }

            @Override
            public EncodedMessage message(Probe p) {
                return message;
            }

            @Override
            public void undelivered(Probe p) {
                undelivered.incrementAndGet();
            }
        }).get(5, TimeUnit.SECONDS);

        assertThat(n).isEqualTo(1);
        assertThat(fine.sentOn).hasSize(1);
        assertThat(broken.closedWith).isEqualTo(ErrorCode.INTERNAL.closeCode());
        assertThat(refuses.closedWith).as("a refusing transport closed itself; nothing more is done to it").isZero();
        assertThat(undelivered).hasValue(2);
        assertThat(registry.find("herald.fanout.latency").timer()).as("no start, no latency").isNull();
    }

    @Test
    void aNullMessageSkipsItsTargetAndALoopShuttingDownCountsZero() throws Exception {
        ExecutorService a = loop();
        ExecutorService gone = loop();
        gone.shutdown();
        Probe skipped = new Probe(a, "ok");
        Probe onGone = new Probe(gone, "ok");

        int n = fanout.toEach("rooms", 0, List.of(skipped, onGone), new LocalFanout.Targets<Probe>() {
            @Override
            public Connection connection(Probe p) {
                return p;
            }

            @Override
            public EncodedMessage message(Probe p) {
                return p == skipped ? null : message;
            }
        }).get(5, TimeUnit.SECONDS);

        assertThat(n).isZero();
        assertThat(skipped.sentOn).isEmpty();
        assertThat(onGone.sentOn).isEmpty();
    }
}
