package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The room engine without a network: hook ordering, broadcast, lookup, errors, alarms and caps. */
class RoomHostTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestHost rooms;

    @AfterEach
    void close() {
        if (rooms != null) {
            rooms.close();
        }
    }

    /** Records every hook with entry/exit checks: two hooks of one room overlapping is a failure. */
    static final class SerialProbe {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        final List<String> hooks = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        void enter(String hook) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            hooks.add(hook);
            // a little work inside the hook widens the window in which an overlap would show
            for (int i = 0; i < 200; i++) {
                Thread.onSpinWait();
            }
        }

        void exit() {
            inside.decrementAndGet();
        }
    }

    public static final class SerialRoom extends Room {
        private final SerialProbe probe;

        SerialRoom(SerialProbe probe) {
            this.probe = probe;
        }

        @Override
        protected void onStart() {
            probe.enter("start");
            probe.exit();
        }

        @Override
        protected void onConnect(RoomConnection connection, ConnectionContext context) {
            probe.enter("connect");
            probe.exit();
        }

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            probe.enter("message");
            try {
                String[] parts = ((RoomMessage.Text) message).text().split(":");
                probe.seen.computeIfAbsent(parts[0], k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Integer.parseInt(parts[1]));
                probe.threads.add(Thread.currentThread().getName());
                probe.total.incrementAndGet();
            } finally {
                probe.exit();
            }
        }
    }

    @Test
    void hooksOfARoomRunOneAtATimeAndInOrderUnderConcurrentMessagesFromManyThreads() throws Exception {
        SerialProbe probe = new SerialProbe();
        rooms = new TestHost(dir, TestHost.config(60_000), TestHost.binding("SERIAL", () -> new SerialRoom(probe)));
        int senders = 4;
        int perSender = 500;
        List<TestHost.Member> members = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            members.add(rooms.join("serial", "r", "c" + i));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (TestHost.Member m : members) {
            threads.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perSender; i++) {
                    m.send(m.id() + ":" + i);
                }
            }, r -> new Thread(r, "sender-" + m.id()).start()));
        }
        go.countDown();
        CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).untilAsserted(() -> assertThat(probe.total.get()).isEqualTo(senders * perSender));
        assertThat(probe.overlaps.get()).as("hooks that ran while another hook of the room was running").isZero();
        List<Integer> expected = java.util.stream.IntStream.range(0, perSender).boxed().toList();
        for (TestHost.Member m : members) {
            assertThat(probe.seen.get(m.id())).as("messages of %s in the order sent", m.id()).containsExactlyElementsOf(expected);
        }
        assertThat(probe.hooks.subList(0, 1 + senders)).containsExactly("start", "connect", "connect", "connect", "connect");
        assertThat(probe.threads).allMatch(t -> t.startsWith("herald-room-"));
    }

    /** Answers commands: {@code all}, {@code others}, {@code skip:<id>,<id>}, {@code who:<id>}, {@code boom}. */
    public static final class CommandRoom extends Room {
        final List<Throwable> errors;

        CommandRoom(List<Throwable> errors) {
            this.errors = errors;
        }

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            if (message instanceof RoomMessage.Binary) {
                broadcast(message);
                return;
            }
            String text = ((RoomMessage.Text) message).text();
            if (text.equals("all")) {
                broadcast("all from " + connection.id());
            } else if (text.equals("others")) {
                broadcast("others from " + connection.id(), connection.id());
            } else if (text.startsWith("skip:")) {
                broadcast(text, text.substring(5).split(","));
            } else if (text.startsWith("only:")) {
                Set<String> to = Set.of(text.substring(5).split(","));
                broadcast(RoomMessage.text(text), c -> to.contains(c.id()));
            } else if (text.startsWith("who:")) {
                getConnection(text.substring(4)).ifPresentOrElse(c -> c.send("you, of " + connections().size()),
                        () -> connection.send("nobody"));
            } else if (text.equals("boom")) {
                throw new IllegalStateException("boom");
            } else {
                connection.send("echo " + text);
            }
        }

        @Override
        protected void onError(RoomConnection connection, Throwable error) {
            errors.add(error);
            connection.send("error " + error.getMessage());
        }
    }

    private TestHost commandRooms(List<Throwable> errors) {
        return new TestHost(dir, TestHost.config(60_000), TestHost.binding("COMMANDS", () -> new CommandRoom(errors)));
    }

    @Test
    void broadcastIncludesTheSenderUnlessItsIdIsExcluded() {
        rooms = commandRooms(new CopyOnWriteArrayList<>());
        TestHost.Member a = rooms.join("commands", "r", "a");
        TestHost.Member b = rooms.join("commands", "r", "b");
        TestHost.Member c = rooms.join("commands", "r", "c");
        TestHost.Member elsewhere = rooms.join("commands", "other-room", "d");

        a.send("all");
        a.send("others");
        a.send("skip:a,c");
        b.send("echo-marker");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.transport().texts()).containsExactly("all from a");
            assertThat(b.transport().texts()).containsExactly("all from a", "others from a", "skip:a,c", "echo echo-marker");
            assertThat(c.transport().texts()).containsExactly("all from a", "others from a");
        });
        assertThat(elsewhere.transport().texts()).isEmpty();
    }

    @Test
    void aBroadcastToAChosenSubsetReachesOnlyThoseConnectionsWithOneSharedMessage() {
        rooms = commandRooms(new CopyOnWriteArrayList<>());
        TestHost.Member a = rooms.join("commands", "r", "a");
        TestHost.Member b = rooms.join("commands", "r", "b");
        TestHost.Member c = rooms.join("commands", "r", "c");

        b.send("only:a,c");
        b.send("echo-marker");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(b.transport().texts()).containsExactly("echo echo-marker");
            assertThat(a.transport().texts()).containsExactly("only:a,c");
            assertThat(c.transport().texts()).containsExactly("only:a,c");
        });
        assertThat(a.transport().received().get(0)).as("encoded once").isSameAs(c.transport().received().get(0));
    }

    @Test
    void broadcastRunsSendsOnEachConnectionsOwnExecutor() {
        rooms = commandRooms(new CopyOnWriteArrayList<>());
        TestHost.Member a = rooms.join("commands", "r", "a");
        TestHost.Member b = rooms.join("commands", "r", "b");
        a.session().message(RoomMessage.binary(new byte[] {1, 2, 3}));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.transport().received()).hasSize(1);
            assertThat(b.transport().received()).hasSize(1);
        });
        assertThat(b.transport().received().get(0).isText()).isFalse();
        assertThat(b.transport().received().get(0).bytes()).containsExactly(1, 2, 3);
        assertThat(a.transport().sendThreads()).allMatch(t -> t.equals("test-loop-" + a.transport().id()));
        assertThat(b.transport().sendThreads()).allMatch(t -> t.equals("test-loop-" + b.transport().id()));
        // the relay's latency, from the message reaching the host to its last write, once per relay as for every primitive
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                rooms.registry.get("herald.fanout.latency").tag("primitive", "rooms").timer().count()).isEqualTo(1));
    }

    @Test
    void getConnectionReturnsTheNewestOfTwoConnectionsWithTheSameId() {
        rooms = commandRooms(new CopyOnWriteArrayList<>());
        TestHost.Member first = rooms.join("commands", "r", "dup");
        TestHost.Member second = rooms.join("commands", "r", "dup");
        TestHost.Member asker = rooms.join("commands", "r", "asker");

        asker.send("who:dup");
        await().atMost(WAIT).untilAsserted(() -> assertThat(second.transport().texts()).containsExactly("you, of 3"));
        assertThat(first.transport().texts()).isEmpty();

        // both sockets stay in the room: a broadcast reaches both
        asker.send("others");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(first.transport().texts()).containsExactly("others from asker");
            assertThat(second.transport().texts()).endsWith("others from asker");
        });

        // once the newest leaves, the older one is found again
        second.leave();
        asker.send("who:dup");
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.transport().texts()).endsWith("you, of 2"));
        asker.send("who:nobody-here");
        await().atMost(WAIT).untilAsserted(() -> assertThat(asker.transport().texts()).containsExactly("nobody"));
    }

    @Test
    void aHookThatThrowsCallsOnErrorAndTheConnectionStaysInTheRoom() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        rooms = commandRooms(errors);
        TestHost.Member a = rooms.join("commands", "r", "a");

        a.send("boom");
        a.send("still-here");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).containsExactly("error boom", "echo still-here"));
        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(a.transport().closeCode).as("no close from the room").isNull();
        assertThat(rooms.host.loadedRooms()).isEqualTo(1);
    }

    /** A room whose onStart throws the first {@code failures} times. */
    public static final class FailingStartRoom extends Room {
        private final AtomicInteger failures;

        FailingStartRoom(AtomicInteger failures) {
            this.failures = failures;
        }

        @Override
        protected void onStart() {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("cannot load");
            }
        }

        @Override
        protected void onConnect(RoomConnection connection, ConnectionContext context) {
            connection.send("welcome");
        }
    }

    @Test
    void anOnStartThatThrowsFailsTheJoinWhileOtherRoomsStillWork() {
        AtomicInteger failures = new AtomicInteger(2);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        rooms = new TestHost(dir, TestHost.config(60_000),
                TestHost.binding("BROKEN", () -> new FailingStartRoom(failures)),
                TestHost.binding("COMMANDS", () -> new CommandRoom(errors)));

        TestConnection refused = rooms.transport();
        CompletableFuture<RoomHost.RoomSession> join = rooms.joining("broken", "r", "a", refused);
        assertThat(join).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(HeraldException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(refused.texts()).isEmpty();
        // the failed join left no place taken and no room behind
        await().atMost(WAIT).untilAsserted(() -> assertThat(rooms.host.rooms()).isZero());
        assertThat(rooms.host.loadedRooms()).isZero();

        TestHost.Member ok = rooms.join("commands", "r", "b");
        ok.send("hello");
        await().atMost(WAIT).untilAsserted(() -> assertThat(ok.transport().texts()).containsExactly("echo hello"));

        // every join tries onStart again: once it stops throwing, the room opens
        assertThat(rooms.joining("broken", "r", "c", rooms.transport())).failsWithin(WAIT);
        TestHost.Member later = rooms.join("broken", "r", "d");
        await().atMost(WAIT).untilAsserted(() -> assertThat(later.transport().texts()).containsExactly("welcome"));
    }

    /** Sets an alarm on connect; the alarm broadcasts. */
    public static final class AlarmRoom extends Room {
        @Override
        protected void onConnect(RoomConnection connection, ConnectionContext context) {
            setAlarm(Instant.now().plusMillis(50));
        }

        @Override
        protected void onAlarm() {
            broadcast("alarm for " + name());
        }
    }

    @Test
    void anAlarmCallsOnAlarmOnTheRoomsContext() {
        rooms = new TestHost(dir, TestHost.config(60_000), TestHost.binding("ALARM", AlarmRoom::new));
        TestHost.Member a = rooms.join("alarm", "wake-up", "a");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).containsExactly("alarm for wake-up"));
    }

    /**
     * "start" starts a repeating task that sends the tick count and whether it runs on a room worker;
     * "stop" cancels it.
     */
    public static final class TickingRoom extends Room {
        static final AtomicInteger ticksAfterUnload = new AtomicInteger();
        private Repeating ticking;
        private int ticks;
        private boolean unloaded;

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            String text = ((RoomMessage.Text) message).text();
            if (text.equals("start")) {
                ticking = every(Duration.ofMillis(20), () -> {
                    if (unloaded) {
                        ticksAfterUnload.incrementAndGet();
                    }
                    ticks++;
                    broadcast("tick " + ticks + " on " + Thread.currentThread().getName().startsWith("herald-room-"));
                });
            } else if (text.equals("stop")) {
                ticking.cancel();
                ticking.cancel();  // idempotent
                broadcast("stopped after " + ticks);
            }
        }

        @Override
        protected void onUnload() {
            unloaded = true;
        }
    }

    @Test
    void aRepeatingTaskTicksOnTheRoomsContextUntilCancelledOrTheInstanceIsDropped() {
        rooms = new TestHost(dir, TestHost.config(60_000), TestHost.binding("TICKING", TickingRoom::new));
        TestHost.Member a = rooms.join("ticking", "r", "a");
        a.send("start");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).contains("tick 3 on true"));
        a.send("stop");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).anyMatch(t -> t.startsWith("stopped after ")));
        List<String> texts = a.transport().texts();
        int stoppedAt = Integer.parseInt(texts.get(texts.size() - 1).substring("stopped after ".length()));
        assertThat(texts.subList(0, texts.size() - 1)).as("ticks counted in order, each on a room worker")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, stoppedAt).mapToObj(i -> "tick " + i + " on true").toList());
        await().during(Duration.ofMillis(200)).atMost(WAIT).untilAsserted(() ->
                assertThat(a.transport().texts()).as("no tick after cancel").hasSize(texts.size()));

        TestHost.Member b = rooms.join("ticking", "dropped", "b");
        b.send("start");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.transport().texts()).contains("tick 1 on true"));
        b.leave();  // the room empties: its instance is dropped
        await().atMost(WAIT).until(() -> rooms.host.loadedRooms() == 1);
        int before = TickingRoom.ticksAfterUnload.get();
        await().during(Duration.ofMillis(200)).atMost(WAIT).untilAsserted(() ->
                assertThat(TickingRoom.ticksAfterUnload.get()).as("a dropped instance's task is stopped").isEqualTo(before));
    }

    /** Hands each message's work to {@link Room#offload} and reports when it is done and on which thread. */
    public static final class OffloadRoom extends Room {
        private int inFlight;

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            String text = ((RoomMessage.Text) message).text();
            inFlight++;
            offload(() -> text.toUpperCase(java.util.Locale.ROOT)).thenAccept(upper -> {
                connection.send(upper + " in flight " + inFlight + " on " + Thread.currentThread().getName().startsWith("herald-room-"));
                inFlight--;
            });
        }
    }

    @Test
    void offloadedWorkCompletesOnTheRoomsContextBeforeTheNextHookRuns() {
        rooms = new TestHost(dir, TestHost.config(60_000), TestHost.binding("OFFLOAD", OffloadRoom::new));
        TestHost.Member a = rooms.join("offload", "r", "a");
        for (String m : List.of("one", "two", "three")) {
            a.send(m);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts())
                .containsExactly("ONE in flight 1 on true", "TWO in flight 1 on true", "THREE in flight 1 on true"));
    }

    @Test
    void theRoomCapRefusesAFurtherSocketWith429UntilAPlaceIsFreed() {
        rooms = new TestHost(dir, TestHost.config(60_000, 2, 1000, 1000), TestHost.binding("SMALL", AlarmRoom::new));
        RoomBinding small = rooms.host.binding("small").orElseThrow();
        RoomHost.Reservation one = rooms.host.reserve(small, "r");
        RoomHost.Reservation two = rooms.host.reserve(small, "r");
        assertThatThrownBy(() -> rooms.host.reserve(small, "r"))
                .isInstanceOfSatisfying(HeraldException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
                    assertThat(e.code().httpStatus()).isEqualTo(429);
                });
        // another room of the same party is not affected
        rooms.host.reserve(small, "other").cancel();
        one.cancel();
        one.cancel();
        RoomHost.Reservation three = rooms.host.reserve(small, "r");
        assertThatThrownBy(() -> rooms.host.reserve(small, "r")).isInstanceOf(HeraldException.class);
        two.cancel();
        three.cancel();
        assertThat(rooms.host.rooms()).isZero();
    }

    @Test
    void theCapOnRoomsRefusesANewRoomAsOverloaded() {
        rooms = new TestHost(dir, TestHost.config(60_000, 10, 10, 1), TestHost.binding("ONE", AlarmRoom::new));
        RoomBinding one = rooms.host.binding("one").orElseThrow();
        RoomHost.Reservation first = rooms.host.reserve(one, "a");
        rooms.host.reserve(one, "a").cancel();
        assertThatThrownBy(() -> rooms.host.reserve(one, "b"))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        first.cancel();
        rooms.host.reserve(one, "b").cancel();
    }

    @Test
    void aSecondBindingWithTheSamePartyNameIsRefused() {
        assertThatThrownBy(() -> new TestHost(dir, TestHost.config(60_000),
                TestHost.binding("MyServer", AlarmRoom::new), TestHost.binding("MY_SERVER", AlarmRoom::new)))
                .isInstanceOf(io.herald.config.ConfigException.class)
                .hasMessageContaining("my-server");
    }

    @Test
    void connectionStateIsLimitedTo2KiBOfJson() {
        RoomConnection c = new RoomConnection("a", new TestConnection(), new ConnectionContext("/", null, null, null));
        var small = JsonNodeFactory.instance.objectNode().put("cursor", 12);
        c.setState(small);
        small.put("cursor", 99);
        assertThat(c.getState().path("cursor").asInt()).as("state is copied, not shared").isEqualTo(12);
        var big = JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(RoomConnection.MAX_STATE_BYTES));
        assertThatThrownBy(() -> c.setState(big)).isInstanceOfSatisfying(HeraldException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThat(c.getState().path("cursor").asInt()).isEqualTo(12);
        c.setState(null);
        assertThat(c.getState().isNull()).isTrue();
    }
}
