package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import io.herald.server.TestServer;
import io.herald.server.broadcast.BroadcastResumeContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Broadcast resume across two nodes on Redis: events published on node a, sockets (and their history
 * reads) on node b. Tickets are single-use, which a cluster enforces across its nodes.
 */
class ClusterBroadcastResumeTest extends BroadcastResumeContract {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start(singleUse(withHistory(ClusterNode.config(REDIS.url(0), PG, "a"))));
        b = TestServer.start(singleUse(withHistory(ClusterNode.config(REDIS.url(0), PG, "b"))));
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static io.herald.config.HeraldConfig singleUse(io.herald.config.HeraldConfig c) {
        return c.withBroadcast(c.broadcast().withSingleUseTickets(true));
    }

    @Test
    void aSingleUseTicketSpentOnOneNodeIsRefusedOnTheOther() {
        String ticket = a.ticket(TestServer.jwt("u_once", newOrg(), "owner"));
        WsClient first = a.connect(ticket);
        assertThat(first.isClosed()).isFalse();

        WsClient again = b.openSilently("/broadcast/v1/websocket?ws_ticket=" + ticket);
        assertThat(again.awaitClose()).isEqualTo(1008);
        // the node that spent it refuses it before the upgrade
        assertThat(a.refusedUpgrade("/broadcast/v1/websocket?ws_ticket=" + ticket).getResponse().statusCode()).isEqualTo(401);
    }

    /**
     * A resumable socket on node b while Redis drops every pub/sub connection mid-run: the publications b
     * missed meanwhile come back from the history (a {@code resumed} frame, then them), so the socket sees
     * every offset once, in order.
     */
    @Test
    void aResumableSocketGetsWhatItsNodeMissedWhilePubSubWasCut() throws Exception {
        String org = newOrg();
        String ticket = b.ticket(TestServer.jwt("u_gap", org, "owner"));
        WsClient socket = b.openSilently("/broadcast/v1/websocket?ws_ticket=" + ticket + "&resume=1");
        long start = socket.nextJson().get("offset").asLong();
        int total = 150;
        AtomicInteger published = new AtomicInteger();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= total; i++) {
                HttpResponse<String> r = a.publish("/broadcast/v1/broadcast",
                        "{\"event\":\"tick\",\"payload\":{\"i\":" + i + "},\"organizationId\":\"" + org + "\"}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                published.set(i);
            }
        });
        ClusterNode.waiting().until(() -> published.get() >= total / 3);
        assertThat(REDIS.killPubSubClients(0)).isPositive();
        publishing.get(120, TimeUnit.SECONDS);

        List<Integer> ticks = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        int resumedFrames = 0;
        while (ticks.isEmpty() || ticks.get(ticks.size() - 1) < total) {
            JsonNode m = socket.nextJson();
            if ("resumed".equals(m.path("type").asText())) {
                assertThat(m.get("recovered").asBoolean()).as(m.toString()).isTrue();
                resumedFrames++;
                continue;
            }
            ticks.add(m.get("payload").get("i").asInt());
            offsets.add(m.get("offset").asLong());
        }
        assertThat(resumedFrames).as("the gap was announced").isPositive();
        assertThat(ticks).containsExactlyElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
        assertThat(offsets).containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + total).boxed().toList());
    }

    @Override
    protected TestServer publisher() {
        return a;
    }

    @Override
    protected TestServer sockets() {
        return b;
    }
}
