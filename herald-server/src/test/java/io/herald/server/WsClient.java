package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JDK WebSocket client for tests: every received text message (reassembled from its parts) lands in
 * a queue, binary messages are counted, and the close code the server sent is recorded. The lane and
 * room clients extend it.
 */
public class WsClient implements WebSocket.Listener, AutoCloseable {
    /** How long an expected message or close may take: generous, since a busy two-core machine can stall a JVM for seconds. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    protected final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket ws;

    public WsClient() {
    }

    /** Starts an upgrade; the future fails with {@link java.net.http.WebSocketHandshakeException} when refused. */
    static CompletableFuture<WsClient> connect(HttpClient http, URI uri, String... headers) {
        return connect(http, uri, new WsClient(), headers);
    }

    /** Starts an upgrade with {@code client} as the listener; the future fails with {@link java.net.http.WebSocketHandshakeException} when refused. */
    protected static <C extends WsClient> CompletableFuture<C> connect(HttpClient http, URI uri, C client, String... headers) {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(WAIT);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.buildAsync(uri, client).thenApply(ws -> {
            ((WsClient) client).ws = ws;
            return client;
        });
    }

    /** {@link #connect(HttpClient, URI, WsClient, String...)} that must succeed within 10 s. */
    public static <C extends WsClient> C open(HttpClient http, URI uri, C client, String... headers) {
        try {
            return connect(http, uri, client, headers).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("upgrade of " + uri + " failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("upgrade of " + uri + " did not complete", e);
        }
    }

    /** Attempts an upgrade that must be refused before it happens, and returns the handshake failure. */
    public static WebSocketHandshakeException refused(HttpClient http, URI uri, String... headers) {
        try {
            WsClient c = connect(http, uri, headers).get(10, TimeUnit.SECONDS);
            c.close();
            return fail("upgrade of %s was accepted", uri);
        } catch (ExecutionException | CompletionException e) {
            assertThat(e.getCause()).as("refusal of %s", uri).isInstanceOf(WebSocketHandshakeException.class);
            return (WebSocketHandshakeException) e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("upgrade of " + uri + " did not complete", e);
        }
    }

    /**
     * Waits until the server has subscribed this socket: the server installs its frame handler only
     * after subscribing, so its {@code pong} to our {@code ping} proves the subscription exists.
     */
    public void awaitReady() {
        send("ping");
        assertThat(next()).as("pong to the readiness ping").isEqualTo("pong");
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.ws = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        messages.add("<binary>");
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    /** Sends a text frame. */
    public void send(String text) {
        ws.sendText(text, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Sends a binary frame. */
    public void sendBinary(byte... data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Sends {@code message} as several continuation frames of {@code partSize} characters. */
    public void sendInParts(String message, int partSize) {
        for (int i = 0; i < message.length(); i += partSize) {
            boolean last = i + partSize >= message.length();
            ws.sendText(message.substring(i, Math.min(message.length(), i + partSize)), last)
                    .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        }
    }

    /**
     * Sends {@code message} in parts as {@link #sendInParts} does, but stops at the first part the socket no
     * longer takes because the server has closed it (as it does when the parts pass its message limit).
     * Returns the parts sent.
     */
    public int sendInPartsUntilClosed(String message, int partSize) {
        int sent = 0;
        for (int i = 0; i < message.length(); i += partSize) {
            boolean last = i + partSize >= message.length();
            try {
                ws.sendText(message.substring(i, Math.min(message.length(), i + partSize)), last)
                        .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (!(e.getCause() instanceof java.io.IOException)) {
                    throw e;
                }
                // refused because the server closed: its close frame must arrive within the usual wait
                awaitClose();
                return sent;
            }
            sent++;
        }
        return sent;
    }

    /** The next text message, failing the test if none arrives within {@link #WAIT}. */
    public String next() {
        String m = poll(WAIT);
        assertThat(m).as("a message within %s", WAIT).isNotNull();
        return m;
    }

    /** The next message parsed as JSON. */
    public JsonNode nextJson() {
        return TestServer.json(next());
    }

    /** The next message, or null when none arrives within {@code wait}. */
    public String poll(Duration wait) {
        try {
            return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next {@code n} messages, in order. */
    public List<String> next(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    /** Asserts that nothing (more) arrives within a short window. */
    public void assertNothingMore() {
        assertThat(poll(Duration.ofMillis(300))).as("no further message").isNull();
    }

    /** The close code the server sent, waiting up to {@link #WAIT}; fails if the socket stays open. */
    public int awaitClose() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the socket was not closed within " + WAIT, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone() || ws == null || ws.isInputClosed();
    }

    @Override
    public void close() {
        WebSocket w = ws;
        if (w == null) {
            return;
        }
        if (!w.isOutputClosed()) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // abort below either way
            }
        }
        w.abort();
    }
}
