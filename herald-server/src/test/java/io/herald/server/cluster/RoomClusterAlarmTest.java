package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.PostgresStorage;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A durable alarm (Room.setAlarm) set in a room on its owner, which is then SIGKILLed before the alarm
 * is due: the alarm fires once, on the node that owns the room after the failover, whether a socket on
 * a surviving node kept the room in use or nothing did (the alarm alone wakes the room). Each test kills
 * one node and works with whichever nodes are still alive, so the two run in either order.
 */
class RoomClusterAlarmTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    /** Far enough ahead that the owner is surely killed before it fires, near enough to fire soon after the takeover. */
    private static final long ALARM_IN_MS = 2 * ClusterNode.LEASE_MS;

    /** A timer may round its delay down by a few milliseconds. */
    private static final long TIMER_SLACK_MS = 50;

    private static PostgresStorage storage;
    private final List<HeraldProcesses.Socket> open = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        open.forEach(HeraldProcesses.Socket::close);
    }

    @AfterAll
    static void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    private static PostgresStorage storage() {
        if (storage == null) {
            storage = PostgresStorage.open(PG.storage(ClusterNode.SCHEMA));
        }
        return storage;
    }

    private static List<HeraldProcesses.Node> alive() {
        List<HeraldProcesses.Node> alive = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++) {
            if (NODES.node(i).isAlive()) {
                alive.add(NODES.node(i));
            }
        }
        assertThat(alive).as("live nodes").hasSizeGreaterThanOrEqualTo(2);
        return alive;
    }

    /** The alarm firings stored by OwnerProbeRoom: key {@code fired/<node>/<instance>/<nanos>} → wall-clock millis. */
    private static Map<String, byte[]> fired(String room) {
        return storage().room("probe", room).list("fired/");
    }

    private HeraldProcesses.Socket join(HeraldProcesses.Node node, String room, String id) {
        HeraldProcesses.Socket s = node.open("/parties/probe/" + room + "?_pk=" + id);
        open.add(s);
        return s;
    }

    /** Reads {@code socket} until a message matches {@code wanted} within {@code within}; returns it. */
    private static String awaitMessage(HeraldProcesses.Socket socket, Predicate<String> wanted, Duration within, String what) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String m = socket.poll(Duration.ofMillis(100));
            if (m != null) {
                if (wanted.test(m)) {
                    return m;
                }
                seen.add(m);
            }
        }
        throw new AssertionError("no " + what + " within " + within + "; received " + seen + (socket.isClosed() ? ", then closed" : ""));
    }

    /** Asserts for twice the lease that {@code room} keeps exactly one firing, and returns it. */
    private static Map.Entry<String, byte[]> firedOnceFor(String room) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .during(Duration.ofMillis(2 * ClusterNode.LEASE_MS))
                .untilAsserted(() -> assertThat(fired(room)).as("the alarm's firings").hasSize(1));
        return fired(room).entrySet().iterator().next();
    }

    @Test
    void anAlarmSetOnAKilledOwnerFiresOnceOnTheNewOwnerOfTheRoomASurvivorsSocketKeptInUse() {
        List<HeraldProcesses.Node> alive = alive();
        HeraldProcesses.Node first = alive.get(0);
        HeraldProcesses.Node survivor = alive.get(1);
        String room = "alarm-" + UUID.randomUUID().toString().substring(0, 8);
        HeraldProcesses.Socket setter = join(first, room, "setter");
        String owner = TestServer.json(setter.next()).get("node").asText();
        assertThat(owner).as("the node of the room's first socket took it").isEqualTo(first.id());
        HeraldProcesses.Socket watcher = join(survivor, room, "watcher");
        assertThat(TestServer.json(awaitMessage(watcher, m -> m.contains("\"hello\""), Duration.ofSeconds(10), "hello"))
                .get("node").asText()).isEqualTo(owner);

        long setAt = System.currentTimeMillis();
        setter.send("alarm:" + ALARM_IN_MS);
        assertThat(awaitMessage(setter, m -> m.startsWith("alarm set"), Duration.ofSeconds(10), "alarm set")).isEqualTo("alarm set " + owner);
        NODES.kill(NODES.indexOf(owner));
        long killedAt = System.currentTimeMillis();
        assertThat(killedAt - setAt).as("the owner was killed before the alarm was due").isLessThan(ALARM_IN_MS);

        // the watcher's node re-joins it to the new owner, which fires the alarm
        JsonNode hello = TestServer.json(awaitMessage(watcher, m -> m.contains("\"hello\""), Duration.ofSeconds(40), "a hello from the new owner"));
        String newOwner = hello.get("node").asText();
        assertThat(newOwner).isNotEqualTo(owner);
        // (its broadcast may have gone out before the watcher was re-joined: storage tells where it fired)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !fired(room).isEmpty());
        Map.Entry<String, byte[]> once = firedOnceFor(room);
        assertThat(once.getKey()).as("the firing's record").startsWith("fired/" + newOwner + "/");
        long firedAt = Long.parseLong(new String(once.getValue(), StandardCharsets.UTF_8));
        assertThat(firedAt).as("fired when due, not before").isGreaterThanOrEqualTo(setAt + ALARM_IN_MS - TIMER_SLACK_MS);
        assertThat(watcher.isClosed()).as("the watcher's socket on a surviving node").isFalse();
    }

    @Test
    void anAlarmSetOnAKilledOwnerFiresOnceOnASurvivorWithNoSocketInTheRoom() {
        List<HeraldProcesses.Node> alive = alive();
        HeraldProcesses.Node first = alive.get(0);
        String room = "alarm-alone-" + UUID.randomUUID().toString().substring(0, 8);
        HeraldProcesses.Socket setter = join(first, room, "setter");
        String owner = TestServer.json(setter.next()).get("node").asText();
        assertThat(owner).isEqualTo(first.id());

        List<String> survivors = alive.stream().map(HeraldProcesses.Node::id).filter(id -> !id.equals(owner)).toList();

        long setAt = System.currentTimeMillis();
        setter.send("alarm:" + ALARM_IN_MS);
        assertThat(awaitMessage(setter, m -> m.startsWith("alarm set"), Duration.ofSeconds(10), "alarm set")).isEqualTo("alarm set " + owner);
        NODES.kill(NODES.indexOf(owner));
        assertThat(System.currentTimeMillis() - setAt).as("the owner was killed before the alarm was due").isLessThan(ALARM_IN_MS);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !fired(room).isEmpty());
        Map.Entry<String, byte[]> once = firedOnceFor(room);
        String firedBy = once.getKey().split("/")[1];
        assertThat(firedBy).as("the node that fired the alarm").isNotEqualTo(owner)
                .isIn(survivors);
        long firedAt = Long.parseLong(new String(once.getValue(), StandardCharsets.UTF_8));
        assertThat(firedAt).as("fired when due, not before").isGreaterThanOrEqualTo(setAt + ALARM_IN_MS - TIMER_SLACK_MS);
    }
}
