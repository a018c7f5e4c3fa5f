package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Change capture on node processes: the slot's reader killed or stopped mid-stream, a follower takes over, sockets get every change once. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CdcProcessTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.logical();

    /** A node checks its change-capture tables at start: the table exists before the nodes do. */
    @RegisterExtension
    @Order(3)
    static final BeforeAllCallback TABLE = context -> {
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE applications (id int PRIMARY KEY, organization_id text NOT NULL, stage text)");
        }
    };

    /**
     * Leadership and lag settings are left at their defaults, so the takeover measured is the one a
     * deployment gets. The history holds every event of a run, so a socket resuming from its first
     * offset would still recover.
     */
    static final String YAML = """
            broadcast:
              history: { size: 20000, ttlSeconds: 600 }
              tables:
                applications:
                  requiredRoles: [owner]
            cdc:
              postgres:
                password: ${HERALD_CDC_PASSWORD:-}
                slot: herald_nodes
                tables:
                  public.applications: { organizationColumn: organization_id }
            """;

    @RegisterExtension
    @Order(4)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(2, () -> REDIS.url(0), PG, YAML).withEnvironment(() -> {
        Map<String, String> env = new HashMap<>();
        // URL and user as the environment overrides a deployment would use; the password as the ${VAR} the file names
        env.put("HERALD_CDC_POSTGRES_URL", PG.url());
        if (PG.user() != null) {
            env.put("HERALD_CDC_POSTGRES_USER", PG.user());
        }
        if (PG.password() != null) {
            env.put("HERALD_CDC_PASSWORD", PG.password());
        }
        return env;
    });

    /** The feature's promise: a follower reads the slot within this long after the leader died. */
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(10);
    /** Generous: a JVM start on a busy machine, a node id whose heartbeat has still to expire. */
    private static final Duration LONG_WAIT = Duration.ofSeconds(90);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    @Test
    @Order(1)
    void theLeaderSigkilledMidStreamIsReplacedAndEveryChangeArrivesExactlyOnce() throws Exception {
        int rows = 10_000;
        String org = "org_kill";
        restartWhatIsDown();
        int leader = awaitSingleLeader();
        int follower = 1 - leader;
        HeraldProcesses.Node l = NODES.node(leader);
        HeraldProcesses.Node f = NODES.node(follower);

        Feed stays = new Feed("the socket on the follower", "u_stays", org);
        Feed moves = new Feed("the socket on the leader", "u_moves", org);
        stays.connect(f);
        moves.connect(l);
        // the writer stops short of its last 4000 rows until the kill, so changes are still being written when the leader dies
        Writer writer = new Writer(org, 1, rows, 6_000, 7L);
        long started = System.nanoTime();
        writer.start();
        waiting().atMost(LONG_WAIT).until(() -> {
            writer.check();
            stays.drain();
            moves.drain();
            return stays.ids.size() >= 2_000;
        });

        double followerReadBefore = metric(f, "herald_cdc_events_total");
        int oldReader = slotReader();
        assertThat(oldReader).as("the leader's walsender on slot herald_nodes").isPositive();
        LeaderWatch watch = new LeaderWatch(f, followerReadBefore);
        long killed = System.nanoTime();
        NODES.kill(leader);
        writer.release();
        int writtenAtKill = writer.written();
        assertThat(writtenAtKill).as("rows written when the leader died").isLessThan(rows);
        int publishedByOldLeader = seenBeforeAnotherReader(stays, oldReader);

        waiting().atMost(LONG_WAIT).until(() -> watch.leaderAt() > 0 && watch.readingAt() > 0);
        watch.close();
        Duration toLeader = Duration.ofNanos(watch.leaderAt() - killed);
        Duration toReading = Duration.ofNanos(watch.readingAt() - killed);
        // no margin added for a busy machine: the watch sees the flag within one scrape of it being set, and the
        // limit already leaves 8 s beyond the follower's retry interval (leaderRetryMs, 2 s) for connecting
        assertThat(toLeader).as("from the SIGKILL until %s holds the slot's lock", f.id()).isLessThanOrEqualTo(TAKEOVER_LIMIT);
        assertThat(toReading).as("from the SIGKILL until %s read a change", f.id()).isLessThanOrEqualTo(TAKEOVER_LIMIT);

        waiting().until(() -> moves.socket.isClosed());
        moves.drain();
        // it comes back once the new leader published a good part more, so its resume has that to recover from the history
        int missedAtLeast = 500;
        waiting().atMost(LONG_WAIT).until(() -> {
            writer.check();
            stays.drain();
            return stays.maxId() >= moves.maxId() + missedAtLeast;
        });
        moves.resume(f, missedAtLeast);

        int followerLinesBefore = waitingLines(l);
        NODES.restart(leader);
        // a node that started while another holds the lock says so once and reads nothing
        waiting().atMost(LONG_WAIT).until(() -> waitingLines(l) > followerLinesBefore);
        assertThat(metric(l, "herald_cdc_leader")).as("%s after its restart", l.id()).isZero();

        writer.await();
        insertFence(org, rows + 1);
        List<Integer> expected = IntStream.rangeClosed(1, rows + 1).boxed().toList();
        // the fence is the last change of the scope: once it arrived, so did any duplicate published before it
        waiting().atMost(LONG_WAIT).until(() -> {
            stays.drain();
            moves.drain();
            return stays.maxId() == rows + 1 && moves.maxId() == rows + 1;
        });
        long done = System.nanoTime();

        assertThat(metric(l, "herald_cdc_leader")).as("%s stayed a follower", l.id()).isZero();
        assertThat(metric(l, "herald_cdc_events_total")).as("changes %s read after its restart", l.id()).isZero();
        assertThat(metric(f, "herald_cdc_leader")).as("%s still leads", f.id()).isEqualTo(1.0);
        awaitNodesEndpointLeader(f, f.id(), l.id());

        stays.assertExactlyOnce(expected);
        assertThat(stays.sockets).as("%s never had to reconnect", stays.name).isEqualTo(1);
        assertThat(stays.socket.isClosed()).as("%s is still open", stays.name).isFalse();
        assertThat(stays.notices).as("frames of %s that are no row change", stays.name).isEmpty();
        moves.assertExactlyOnce(expected);
        assertThat(moves.sockets).isEqualTo(2);
        assertThat(moves.notices).as("frames of %s that are no row change", moves.name).hasSize(1);

        // the new leader, reading ever since, read ids firstRead .. rows + 1; the broker had taken 1 .. publishedByOldLeader (at least)
        long firstRead = rows + 2 - (long) (metric(f, "herald_cdc_events_total") - followerReadBefore);
        System.out.printf("CDC leader %s SIGKILLed with %d of %d rows written: %s held the slot %d ms after the kill and read its first"
                        + " change %d ms after it, from row %d on, when the dead leader had published up to row %d at least (%d read again,"
                        + " skipped by the broker); %s resumed with %s; %d ms from the first row to the last%n",
                l.id(), writtenAtKill, rows, f.id(), toLeader.toMillis(), toReading.toMillis(), firstRead, publishedByOldLeader,
                Math.max(0, publishedByOldLeader - firstRead + 1), moves.name, moves.notices.get(0), Duration.ofNanos(done - started).toMillis());
    }

    @Test
    @Order(2)
    void theLeaderStoppedGracefullyIsReplacedAndNoChangeIsLost() throws Exception {
        int first = 20_001;
        int rows = 2_000;
        String org = "org_term";
        Flowing run = flowingToTheFollower(org, "u_term", first, rows, 11L);
        int leader = run.leader();
        HeraldProcesses.Node l = NODES.node(leader);
        HeraldProcesses.Node f = NODES.node(1 - leader);
        Feed feed = run.feed();
        Writer writer = run.writer();

        LeaderWatch watch = new LeaderWatch(f, metric(f, "herald_cdc_events_total"));
        long stopped = System.nanoTime();
        // rows keep coming while the leader drains and hands over
        writer.release();
        NODES.stop(leader);
        long exited = System.nanoTime();
        assertThat(l.isAlive()).isFalse();
        writer.await();
        int last = first + rows;
        // written after the leader exited, so the new one has a change to read even if the old one published every other
        insertFence(org, last);

        waiting().atMost(LONG_WAIT).until(() -> watch.leaderAt() > 0 && watch.readingAt() > 0);
        watch.close();
        Duration toLeader = Duration.ofNanos(watch.leaderAt() - stopped);
        Duration toReading = Duration.ofNanos(watch.readingAt() - stopped);
        assertThat(toLeader).as("from the SIGTERM until %s holds the slot's lock", f.id()).isLessThanOrEqualTo(TAKEOVER_LIMIT);
        assertThat(toReading).as("from the SIGTERM until %s read a change", f.id()).isLessThanOrEqualTo(TAKEOVER_LIMIT);

        waiting().atMost(LONG_WAIT).until(() -> {
            feed.drain();
            return feed.maxId() == last;
        });
        feed.assertExactlyOnce(IntStream.rangeClosed(first, last).boxed().toList());
        assertThat(feed.sockets).isEqualTo(1);
        assertThat(feed.socket.isClosed()).as("%s is still open", feed.name).isFalse();
        assertThat(feed.notices).as("frames of %s that are no row change", feed.name).isEmpty();
        assertThat(metric(f, "herald_cdc_leader")).isEqualTo(1.0);
        System.out.printf("CDC leader %s SIGTERMed: it exited after %d ms; %s held the slot %d ms after the signal and read its first"
                        + " change %d ms after it%n", l.id(), Duration.ofNanos(exited - stopped).toMillis(), f.id(),
                toLeader.toMillis(), toReading.toMillis());
    }

    /**
     * A reader that freezes (SIGSTOP) does not die, so its session and lock would stay: its control
     * session ends when idle past a few heartbeats (idle_session_timeout), and the new reader stops the
     * frozen one's walsender instead of waiting for PostgreSQL's 60 s timeout. Woken up, the old reader
     * finds its session gone and follows.
     */
    @Test
    @Order(3)
    void aFrozenLeaderIsReplacedAndFollowsWhenItWakes() throws Exception {
        int first = 30_001;
        int rows = 2_000;
        String org = "org_frozen";
        Flowing run = flowingToTheFollower(org, "u_frozen", first, rows, 13L);
        int leader = run.leader();
        int follower = 1 - leader;
        HeraldProcesses.Node f = NODES.node(follower);
        Feed feed = run.feed();
        Writer writer = run.writer();

        LeaderWatch watch = new LeaderWatch(f, metric(f, "herald_cdc_events_total"));
        long frozen = System.nanoTime();
        NODES.pause(leader);
        writer.release();
        try {
            waiting().atMost(LONG_WAIT).until(() -> watch.leaderAt() > 0 && watch.readingAt() > 0);
        } finally {
            NODES.resume(leader);
        }
        watch.close();
        Duration toReading = Duration.ofNanos(watch.readingAt() - frozen);
        // the control session's idle timeout (2 heartbeats + 2 s = 12 s by default) and one retry (2 s)
        assertThat(toReading).as("from the SIGSTOP until %s read a change", f.id()).isLessThanOrEqualTo(Duration.ofSeconds(30));
        writer.await();
        int last = first + rows;
        insertFence(org, last);

        assertThat(awaitSingleLeader()).as("the woken reader follows").isEqualTo(follower);
        waiting().atMost(LONG_WAIT).until(() -> {
            feed.drain();
            return feed.maxId() == last;
        });
        feed.assertExactlyOnce(IntStream.rangeClosed(first, last).boxed().toList());
        assertThat(feed.socket.isClosed()).as("%s is still open", feed.name).isFalse();
        System.out.printf("CDC leader %s SIGSTOPped: %s read its first change %d ms after the signal%n",
                NODES.node(leader).id(), f.id(), toReading.toMillis());
    }

    /** A run under way: the leader's index, a socket on the follower that has seen 500 rows, the writer holding at row 1 000. */
    private record Flowing(int leader, Feed feed, Writer writer) {
    }

    private Flowing flowingToTheFollower(String org, String user, int first, int rows, long seed) throws Exception {
        restartWhatIsDown();
        int leader = awaitSingleLeader();
        Feed feed = new Feed("the socket on the follower", user, org);
        feed.connect(NODES.node(1 - leader));
        Writer writer = new Writer(org, first, rows, 1_000, seed);
        writer.start();
        waiting().atMost(LONG_WAIT).until(() -> {
            writer.check();
            feed.drain();
            return feed.ids.size() >= 500;
        });
        return new Flowing(leader, feed, writer);
    }

    /** Starts again a node an earlier test left down, so each test begins with both nodes. */
    private static void restartWhatIsDown() throws Exception {
        for (int i = 0; i < NODES.size(); i++) {
            if (!NODES.node(i).isAlive()) {
                NODES.restart(i);
            }
        }
    }

    /** The index of the node that reads the slot: the only one whose gauge says so, and the one the nodes endpoint names. */
    private static int awaitSingleLeader() {
        int[] leader = {-1};
        waiting().atMost(LONG_WAIT).until(() -> {
            List<Integer> leading = new ArrayList<>();
            for (int i = 0; i < NODES.size(); i++) {
                if (metric(NODES.node(i), "herald_cdc_leader") == 1.0) {
                    leading.add(i);
                }
            }
            leader[0] = leading.size() == 1 ? leading.get(0) : -1;
            return leader[0] >= 0;
        });
        HeraldProcesses.Node l = NODES.node(leader[0]);
        awaitNodesEndpointLeader(NODES.node(1 - leader[0]), l.id(), NODES.node(1 - leader[0]).id());
        return leader[0];
    }

    /** Waits until {@code asked}'s {@code /cluster/v1/nodes} names {@code leader} as the reader and {@code other} without the role (heartbeats every 2 s). */
    private static void awaitNodesEndpointLeader(HeraldProcesses.Node asked, String leader, String other) {
        waiting().untilAsserted(() -> {
            HttpResponse<String> r = asked.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = TestServer.json(r.body());
            assertThat(body.path("cdc").path("leader").asText()).as(r.body()).isEqualTo(leader);
            Map<String, String> roles = new HashMap<>();
            body.get("nodes").forEach(n -> roles.put(n.get("id").asText(), n.get("roles").toString()));
            assertThat(roles).as(r.body()).containsEntry(leader, "[\"cdc-leader\"]").containsEntry(other, "[]");
        });
    }

    /** The process id of the walsender streaming slot herald_nodes; 0 when none does. */
    private static int slotReader() throws SQLException {
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'herald_nodes'")) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    /**
     * The highest id {@code feed} received while no reader but {@code oldReader} (or none) streamed the slot,
     * waiting until another one does. A frame drained before PostgreSQL showed no new reader cannot have been
     * published by a new one; and the dead leader's last publications reach the socket in milliseconds, long
     * before a follower's next attempt: a lower bound of the highest id the dead leader had the broker take,
     * in practice that id.
     */
    private static int seenBeforeAnotherReader(Feed feed, int oldReader) {
        int[] seen = {0};
        waiting().atMost(LONG_WAIT).until(() -> {
            feed.drain();
            int drained = feed.maxId();
            int reader = slotReader();
            if (reader != 0 && reader != oldReader) {
                return true;
            }
            seen[0] = drained;
            return false;
        });
        return seen[0];
    }

    /** Lines in which {@code node} said it waits for another node's slot, over all its launches. */
    private static int waitingLines(HeraldProcesses.Node node) {
        return (int) node.logLines().stream().filter(line -> line.contains("another node reads replication slot herald_nodes")).count();
    }

    /** The sum of every series of {@code name} in {@code node}'s {@code /metrics}; 0 when it has none. */
    static double metric(HeraldProcesses.Node node, String name) {
        return metric(scrape(node), name);
    }

    static String scrape(HeraldProcesses.Node node) {
        HttpResponse<String> r = node.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The sum of every series of {@code name} in the Prometheus text {@code metrics}. */
    static double metric(String metrics, String name) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** A row committed after every other of its organization: the last change each socket must get. */
    private static void insertFence(String org, int id) throws SQLException {
        try (Connection c = PG.connect(); PreparedStatement s = c.prepareStatement("INSERT INTO applications VALUES (?, ?, 'fence')")) {
            s.setInt(1, id);
            s.setString(2, org);
            s.executeUpdate();
        }
    }

    /** When a follower first said it leads and first read a change, polled from a thread of its own so a blocking SIGTERM does not delay it. */
    static final class LeaderWatch implements AutoCloseable {
        private final Thread thread;
        private volatile long leaderAt;
        private volatile long readingAt;
        private volatile boolean stop;

        LeaderWatch(HeraldProcesses.Node node, double readBefore) {
            thread = new Thread(() -> {
                while (!stop && (leaderAt == 0 || readingAt == 0)) {
                    try {
                        String metrics = scrape(node);
                        // the time the answer came, not the request: the takeover is never measured shorter than it was
                        long now = System.nanoTime();
                        if (leaderAt == 0 && metric(metrics, "herald_cdc_leader") == 1.0) {
                            leaderAt = now;
                        }
                        if (readingAt == 0 && metric(metrics, "herald_cdc_events_total") > readBefore) {
                            readingAt = now;
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException | AssertionError e) {
                        // a scrape that failed on a busy machine: the next one counts
                    }
                }
            }, "cdc-leader-watch");
            thread.setDaemon(true);
            thread.start();
        }

        long leaderAt() {
            return leaderAt;
        }

        long readingAt() {
            return readingAt;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** Inserts ids {@code first ..} of one organization in transactions of 1 to 20 rows (commit order = id order); holds at {@code holdAt} until released. */
    final class Writer {
        private final String org;
        private final int first;
        private final int rows;
        private final int holdAt;
        private final long seed;
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile int written;

        Writer(String org, int first, int rows, int holdAt, long seed) {
            this.org = org;
            this.first = first;
            this.rows = rows;
            this.holdAt = holdAt;
            this.seed = seed;
            this.thread = new Thread(this::run, "cdc-writer-" + org);
            thread.setDaemon(true);
            open.add(thread::interrupt);
        }

        void start() {
            thread.start();
        }

        void release() {
            released.countDown();
        }

        int written() {
            return written;
        }

        /** Fails the test with the writer's own failure, if it had one. */
        void check() {
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("the writer failed", t);
            }
        }

        void await() throws InterruptedException {
            thread.join(LONG_WAIT.toMillis());
            check();
            assertThat(written).as("rows the writer committed").isEqualTo(rows);
        }

        private void run() {
            Random random = new Random(seed);
            try (Connection c = PG.connect();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO applications VALUES (?, ?, 'applied')")) {
                c.setAutoCommit(false);
                while (written < rows) {
                    if (written == holdAt && !released.await(LONG_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new IllegalStateException("not released");
                    }
                    int limit = written < holdAt ? holdAt : rows;
                    int n = Math.min(1 + random.nextInt(20), limit - written);
                    for (int i = 0; i < n; i++) {
                        insert.setInt(1, first + written + i);
                        insert.setString(2, org);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    c.commit();
                    written += n;
                    // a steady stream rather than one burst: the leader is mid-stream whenever it is killed
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }
    }

    /** A resumable broadcast client of an owner in one organization: every row change's id and offset across the sockets it goes through. */
    final class Feed {
        final String name;
        private final String user;
        private final String org;
        final List<Integer> ids = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        /** Frames that are no row change, after the first frame of each socket: a resumed frame, a position. */
        final List<String> notices = new ArrayList<>();
        HeraldProcesses.Socket socket;
        int sockets;
        private String epoch;
        private long startOffset;

        Feed(String name, String user, String org) {
            this.name = name;
            this.user = user;
            this.org = org;
        }

        /** A fresh socket on {@code node} with {@code resume=1}: its first frame is the scope's position. */
        void connect(HeraldProcesses.Node node) {
            open(node, "&resume=1");
            JsonNode first = firstFrame();
            assertThat(first.path("type").asText()).as("%s: first frame %s", name, first).isEqualTo("position");
            epoch = first.get("epoch").asText();
            startOffset = first.get("offset").asLong();
        }

        /** A socket on {@code node} resuming after the last change received: it must recover what it missed, at least {@code missed}. */
        void resume(HeraldProcesses.Node node, int missed) {
            assertThat(offsets).as("%s received changes before its node died", name).isNotEmpty();
            String since = URLEncoder.encode(epoch + ":" + offsets.get(offsets.size() - 1), StandardCharsets.UTF_8);
            open(node, "&resume=1&since=" + since);
            JsonNode first = firstFrame();
            notices.add(first.toString());
            assertThat(first.path("type").asText()).as("%s: first frame after since=%s: %s", name, since, first).isEqualTo("resumed");
            assertThat(first.path("recovered").asBoolean()).as("%s recovered from the history: %s", name, first).isTrue();
            assertThat(first.path("missed").asInt()).as("%s: changes published while it was away: %s", name, first).isGreaterThanOrEqualTo(missed);
        }

        private void open(HeraldProcesses.Node node, String query) {
            // a ticket is good on any node; each socket needs a fresh one
            String ticket = node.ticket(TestServer.jwt(user, org, "owner"));
            socket = node.open("/broadcast/v1/websocket?ws_ticket=" + ticket + query);
            open.add(socket);
            sockets++;
            socket.awaitPong();
        }

        private JsonNode firstFrame() {
            String m = socket.pollText(Duration.ofSeconds(10));
            assertThat(m).as("%s: a first frame within 10 s", name).isNotNull();
            return TestServer.json(m);
        }

        /** Moves the frames waiting in the socket into the lists. */
        void drain() {
            for (String m = socket.pollText(Duration.ZERO); m != null; m = socket.pollText(Duration.ZERO)) {
                JsonNode n = TestServer.json(m);
                if (!"postgres_changes".equals(n.path("type").asText())) {
                    notices.add(m);
                    continue;
                }
                ids.add(n.get("new").get("id").asInt());
                offsets.add(n.get("offset").asLong());
            }
        }

        int maxId() {
            return ids.isEmpty() ? 0 : ids.get(ids.size() - 1);
        }

        /** Each of {@code expected} once, in order, at the offsets that follow the first position without a gap. */
        void assertExactlyOnce(List<Integer> expected) {
            List<Integer> repeated = new ArrayList<>(ids);
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            repeated.removeIf(seen::add);
            assertThat(repeated).as("%s: ids received more than once", name).isEmpty();
            List<Integer> missing = new ArrayList<>(expected);
            missing.removeAll(seen);
            assertThat(missing).as("%s: ids never received", name).isEmpty();
            assertThat(ids).as("%s: every id once, in commit order", name).isEqualTo(expected);
            assertThat(offsets).as("%s: offsets from the first position on, each once, in order", name)
                    .isEqualTo(LongStream.rangeClosed(startOffset + 1, startOffset + expected.size()).boxed().toList());
        }
    }
}
