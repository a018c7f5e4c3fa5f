package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.herald.ErrorCode;
import io.herald.server.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How refusals and failures reach the caller: the server's status, {@code error} code and message
 * for a refusal, a kind for no answer, and never the access token in a message.
 */
class ErrorsTest {
    private static final String WRONG_TOKEN = "wrong-token-0123456789abcdefghijklmnop";
    @TempDir
    static Path dir;
    private static TestServer server;
    private static HeraldClient client;

    @BeforeAll
    static void start() {
        server = ClientServers.start(ClientServers.CONFIG, dir);
        client = ClientServers.client(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HeraldClientException thrown(ThrowingCallable call) {
        HeraldClientException e = catchThrowableOfType(HeraldClientException.class, call);
        assertThat(e).as("a HeraldClientException").isNotNull();
        assertThat(e.getMessage()).doesNotContain(TestServer.ACCESS_TOKEN).doesNotContain(WRONG_TOKEN);
        return e;
    }

    /** The failure of an async call: the future fails with the exception itself, not a wrapper. */
    private static HeraldClientException failed(CompletableFuture<?> call) throws Exception {
        Throwable e = call.handle((v, x) -> x).get(20, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(HeraldClientException.class);
        return thrown(() -> {
            throw e;
        });
    }

    @Test
    void aWrongTokenIs401InvalidCredentialsAndTheMessageLeavesTheTokenOut() throws Exception {
        HeraldClient wrong = ClientServers.builder(server).accessToken(WRONG_TOKEN).build();

        for (HeraldClientException e : new HeraldClientException[] {
                thrown(() -> wrong.publishChange(Change.insert("applications", Target.organization("org_1"), Map.of("id", 1)))),
                thrown(() -> wrong.broadcast(Broadcast.of("e", 1, Target.organization("org_1")))),
                thrown(() -> wrong.publishToChannel("news:x", "e", 1)),
                thrown(() -> wrong.publishToLane(LaneMessage.of("u_1", "t", 1))),
                thrown(wrong::nodes),
                failed(wrong.broadcastAsync(Broadcast.of("e", 1, Target.organization("org_1"))))}) {
            assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.HTTP);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.error()).hasValue(ErrorCode.INVALID_CREDENTIALS.code());
            assertThat(e.serverMessage()).isPresent(); // the lane publish, which also takes sessions, says why the token is no JWT
            assertThat(e.getMessage()).contains("401 invalid_credentials");
        }
    }

    @Test
    void theServerCredentialCannotMintWebSocketTicketsWhichIsWhyTheClientHasNoTicketCall() {
        var r = server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo(ErrorCode.INVALID_CREDENTIALS.code());
    }

    @Test
    void noTokenIs401Unauthenticated() {
        HeraldClient anonymous = HeraldClient.builder().baseUrl(ClientServers.baseUrl(server)).build();

        HeraldClientException e = thrown(() -> anonymous.broadcast(Broadcast.of("e", 1, Target.organization("org_1"))));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.error()).hasValue(ErrorCode.UNAUTHENTICATED.code());
    }

    @Test
    void anUnknownTableIs400UnknownTableWithTheServersMessage() throws Exception {
        Change change = Change.insert("secrets", Target.organization("org_1"), Map.of("id", 1));

        HeraldClientException e = thrown(() -> client.publishChange(change));
        HeraldClientException async = failed(client.publishChangeAsync(change));

        assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.HTTP);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).hasValue(ErrorCode.UNKNOWN_TABLE.code());
        assertThat(e.serverMessage()).hasValue("Unknown table 'secrets'.");
        assertThat(e.getMessage()).isEqualTo("POST " + ClientServers.baseUrl(server)
                + "/broadcast/v1/changes: 400 unknown_table: Unknown table 'secrets'.");
        assertThat(async.getMessage()).isEqualTo(e.getMessage());
        assertThat(e.getCause()).isNull();
    }

    @Test
    void anUndeclaredEventIs400UnknownEvent() {
        HeraldClientException e = thrown(() -> client.broadcast(Broadcast.of("billing:paid", 1, Target.organization("org_1"))));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).hasValue(ErrorCode.UNKNOWN_EVENT.code());
        assertThat(e.serverMessage()).hasValue("Unknown namespace 'billing'.");
    }

    @Test
    void whatTheServerJudgesMalformedIs400BadRequest() {
        assertThat(thrown(() -> client.broadcast(Broadcast.of("e", 1, Target.scope("no-colon")))).error())
                .hasValue(ErrorCode.BAD_REQUEST.code());
        assertThat(thrown(() -> client.publishToChannel("bad channel", "e", 1)).error())
                .hasValue(ErrorCode.BAD_REQUEST.code());
        HeraldClientException blankUser = thrown(() -> client.publishToLane(LaneMessage.of("  ", "t", 1)));
        assertThat(blankUser.error()).hasValue(ErrorCode.BAD_REQUEST.code());
        assertThat(blankUser.serverMessage()).hasValue("userId is required");
    }

    @Test
    void aPayloadJacksonCannotWriteIsRefusedAtTheCallBeforeAnyRequest() {
        Object unwritable = new Object();

        assertThatThrownBy(() -> client.broadcast(Broadcast.of("e", unwritable, Target.organization("org_1"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.publishToChannelAsync("news:x", "e", unwritable))
                .as("thrown by the async variant too, not returned as a failed future")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aServerThatIsDownIsAConnectFailure() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        HeraldClient down = HeraldClient.builder().baseUrl(URI.create("http://127.0.0.1:" + port))
                .accessToken(TestServer.ACCESS_TOKEN).timeout(Duration.ofSeconds(5)).build();

        for (HeraldClientException e : new HeraldClientException[] {
                thrown(() -> down.publishToChannel("news:x", "e", 1)),
                thrown(down::health),
                failed(down.broadcastAsync(Broadcast.of("e", 1, Target.organization("org_1"))))}) {
            assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.CONNECT);
            assertThat(e.status()).isZero();
            assertThat(e.error()).isEmpty();
            assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("cannot connect");
            assertThat(e.getCause()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept(); // held open, never answered
                        s.setSoTimeout(0);
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HeraldClient slow = HeraldClient.builder().baseUrl(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .accessToken(TestServer.ACCESS_TOKEN).timeout(Duration.ofMillis(300)).build();

            HeraldClientException sync = thrown(() -> slow.broadcast(Broadcast.of("e", 1, Target.organization("org_1"))));
            HeraldClientException async = failed(slow.readinessAsync());

            for (HeraldClientException e : new HeraldClientException[] {sync, async}) {
                assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.TIMEOUT);
                assertThat(e.status()).isZero();
                assertThat(e.getMessage()).contains("no answer within 300 ms");
            }
        }
    }

    @Test
    void anInterruptedCallerGetsInterruptedWithItsFlagSet() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            HeraldClient slow = HeraldClient.builder().baseUrl(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .timeout(Duration.ofSeconds(30)).build();
            CompletableFuture<Object[]> outcome = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    slow.health();
                    outcome.complete(new Object[] {null, false});
                } catch (RuntimeException e) {
                    outcome.complete(new Object[] {e, Thread.currentThread().isInterrupted()});
                }
            });
            caller.start();
            Thread.sleep(300);
            caller.interrupt();

            Object[] r = outcome.get(10, TimeUnit.SECONDS);
            assertThat(r[0]).isInstanceOfSatisfying(HeraldClientException.class,
                    e -> assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.INTERRUPTED));
            assertThat(r[1]).as("interrupt flag").isEqualTo(true);
        }
    }
}
