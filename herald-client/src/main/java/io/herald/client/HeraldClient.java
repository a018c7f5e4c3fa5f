package io.herald.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A client of Herald's server API for a backend that runs Herald beside it rather than inside it:
 * publish {@code postgres_changes} and custom broadcasts, publish to channels, publish to a user's
 * lane and read the acks, and read a node's health, readiness and the cluster's node list.
 *
 * <pre>{@code
 * HeraldClient herald = HeraldClient.builder()
 *         .baseUrl(URI.create("https://rt.example.com"))
 *         .accessToken(System.getenv("HERALD_ACCESS_TOKEN"))
 *         .build();
 * BroadcastResult r = herald.broadcast(Broadcast.of("nudge", Map.of("n", 1), Target.organization("org_1")));
 * }</pre>
 *
 * <p>Every call comes in two forms: a blocking one, which throws {@link HeraldClientException}, and
 * an {@code ...Async} one, whose future fails with it. Arguments the client cannot send (a payload
 * Jackson cannot write) are refused by both at once with {@link IllegalArgumentException}; everything
 * else (unknown tables, bad scope keys, undeclared events) is the server's to judge and comes back as
 * a {@link HeraldClientException} with its {@code error} code.
 *
 * <p>Immutable and thread-safe: build one per Herald deployment and share it. The access token is sent
 * as {@code Authorization: Bearer <token>} to the calls that need it, and to no others; the client
 * logs nothing and puts the token in no message.
 */
public final class HeraldClient {
    /** Where the server mounts lanes unless {@code lanes.basePath} says otherwise. */
    public static final String DEFAULT_LANES_BASE_PATH = "/lanes/v1";
    /** The per-request timeout unless the builder sets another. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a lane publish waits for acks on the server (it lowers longer timeouts to this). */
    static final Duration MAX_ACK_WAIT = Duration.ofSeconds(30);
    private static final Pattern BASE_PATH = Pattern.compile("(/[^/?#\\s]+)*");
    private static final int MAX_BODY_IN_MESSAGE = 200;

    private final String baseUrl;
    private final String accessToken;
    private final HttpClient http;
    private final Duration timeout;
    private final ObjectMapper json;
    private final String lanesBasePath;
    private final RetryPolicy retry;

    private HeraldClient(Builder b) {
        this.baseUrl = b.baseUrl;
        this.accessToken = b.accessToken;
        this.timeout = b.timeout;
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.json = b.objectMapper != null ? b.objectMapper : new ObjectMapper();
        this.lanesBasePath = b.lanesBasePath;
        this.retry = b.retry;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- broadcast -------------------------------------------------------------------------------

    /** Publishes a {@code postgres_changes} event ({@code POST /broadcast/v1/changes}); the server takes one per request. */
    public BroadcastResult publishChange(Change change) {
        return call(changeCall(change));
    }

    /** {@link #publishChange} without blocking. */
    public CompletableFuture<BroadcastResult> publishChangeAsync(Change change) {
        return callAsync(changeCall(change));
    }

    /** Publishes a custom event ({@code POST /broadcast/v1/broadcast}). */
    public BroadcastResult broadcast(Broadcast broadcast) {
        return call(broadcastCall(broadcast));
    }

    /** {@link #broadcast} without blocking. */
    public CompletableFuture<BroadcastResult> broadcastAsync(Broadcast broadcast) {
        return callAsync(broadcastCall(broadcast));
    }

    private Call<BroadcastResult> changeCall(Change change) {
        Objects.requireNonNull(change, "change");
        ObjectNode body = json.createObjectNode();
        body.put("table", change.table());
        body.put("eventType", change.type().name());
        if (change.type() != Change.Type.DELETE) {
            body.set("new", tree(change.newRow()));
        }
        if (change.type() != Change.Type.INSERT && change.oldRow() != null) {
            body.set("old", tree(change.oldRow()));
        }
        target(body, change.target());
        return post("/broadcast/v1/changes", body, timeout, HeraldClient::broadcastResult);
    }

    private Call<BroadcastResult> broadcastCall(Broadcast broadcast) {
        Objects.requireNonNull(broadcast, "broadcast");
        ObjectNode body = json.createObjectNode();
        body.put("event", broadcast.event());
        body.set("payload", tree(broadcast.payload()));
        target(body, broadcast.target());
        if (!broadcast.targetRoles().isEmpty()) {
            broadcast.targetRoles().forEach(body.putArray("targetRoles")::add);
        }
        return post("/broadcast/v1/broadcast", body, timeout, HeraldClient::broadcastResult);
    }

    private static void target(ObjectNode body, Target target) {
        if (target.organizationId() != null) {
            body.put("organizationId", target.organizationId());
        } else {
            body.put("scopeKey", target.scopeKey());
        }
        if (target.userId() != null) {
            body.put("userId", target.userId());
        }
    }

    private static BroadcastResult broadcastResult(JsonNode answer) {
        JsonNode nodes = answer.get("nodes");
        JsonNode skipped = answer.get("skipped");
        return new BroadcastResult(requiredInt(answer, "delivered"),
                nodes != null && nodes.canConvertToInt() ? OptionalInt.of(nodes.intValue()) : OptionalInt.empty(),
                answer.path("partial").asBoolean(false),
                skipped != null && skipped.isTextual() ? Optional.of(skipped.asText()) : Optional.empty());
    }

    // ---- channels --------------------------------------------------------------------------------

    /**
     * Publishes {@code event} with {@code data} (null is sent as JSON {@code null}) to {@code channel}
     * ({@code POST /channels/v1/publish}); the answer carries the event's id in the channel.
     */
    public ChannelResult publishToChannel(String channel, String event, Object data) {
        return call(channelCall(channel, event, data));
    }

    /** {@link #publishToChannel} without blocking. */
    public CompletableFuture<ChannelResult> publishToChannelAsync(String channel, String event, Object data) {
        return callAsync(channelCall(channel, event, data));
    }

    private Call<ChannelResult> channelCall(String channel, String event, Object data) {
        ObjectNode body = json.createObjectNode();
        body.put("channel", Objects.requireNonNull(channel, "channel"));
        body.put("event", Objects.requireNonNull(event, "event"));
        body.set("data", tree(data));
        return post("/channels/v1/publish", body, timeout,
                a -> new ChannelResult(requiredInt(a, "delivered"), requiredLong(a, "id")));
    }

    // ---- lanes -----------------------------------------------------------------------------------

    /**
     * Publishes to a user's lane ({@code POST <lanes base>/publish}) and returns once every matching
     * socket acked or the ack timeout passed; the results are the acks' {@code result} values as JSON.
     * The request may take the ack timeout (up to 30 s) on top of the client's timeout.
     */
    public LaneResult<JsonNode> publishToLane(LaneMessage message) {
        return publishToLane(message, JsonNode.class);
    }

    /** As {@link #publishToLane(LaneMessage)}, with each ack's {@code result} read as {@code resultType} by the client's {@code ObjectMapper}. */
    public <T> LaneResult<T> publishToLane(LaneMessage message, Class<T> resultType) {
        return call(laneCall(message, resultType));
    }

    /** {@link #publishToLane(LaneMessage)} without blocking. */
    public CompletableFuture<LaneResult<JsonNode>> publishToLaneAsync(LaneMessage message) {
        return publishToLaneAsync(message, JsonNode.class);
    }

    /** {@link #publishToLane(LaneMessage, Class)} without blocking. */
    public <T> CompletableFuture<LaneResult<T>> publishToLaneAsync(LaneMessage message, Class<T> resultType) {
        return callAsync(laneCall(message, resultType));
    }

    private <T> Call<LaneResult<T>> laneCall(LaneMessage message, Class<T> resultType) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(resultType, "resultType");
        ObjectNode body = json.createObjectNode();
        body.put("userId", message.userId());
        if (message.type() != null) {
            body.put("type", message.type());
        }
        if (message.hasPayload()) {
            body.set("payload", tree(message.payload()));
        }
        Duration ackWait = MAX_ACK_WAIT;
        if (message.timeout() != null) {
            body.put("timeoutMs", message.timeout().toMillis());
            ackWait = message.timeout().compareTo(MAX_ACK_WAIT) < 0 ? message.timeout() : MAX_ACK_WAIT;
        }
        // the server answers after the acks or the ack timeout: the request may wait that long on top of the usual
        return post(lanesBasePath + "/publish", body, timeout.plus(ackWait), a -> {
            JsonNode results = a.get("results");
            if (results == null || !results.isArray()) {
                throw new InvalidAnswer("no results array");
            }
            List<T> out = new ArrayList<>(results.size());
            for (JsonNode r : results) {
                out.add(resultType == JsonNode.class ? resultType.cast(r) : convert(r, resultType));
            }
            return new LaneResult<>(requiredInt(a, "clientCount"), out);
        });
    }

    private <T> T convert(JsonNode result, Class<T> type) {
        try {
            return json.treeToValue(result, type);
        } catch (JsonProcessingException e) {
            throw new InvalidAnswer("an ack's result is not a " + type.getSimpleName() + " (" + e.getOriginalMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new InvalidAnswer("an ack's result is not a " + type.getSimpleName() + " (" + e.getMessage() + ")");
        }
    }

    // ---- node status -----------------------------------------------------------------------------

    /** {@code GET /healthz}: 200 {@code {"status":"ok"}} while the process is up. Sends no credential. */
    public NodeStatus health() {
        return call(statusCall("/healthz"));
    }

    /** {@link #health} without blocking. */
    public CompletableFuture<NodeStatus> healthAsync() {
        return callAsync(statusCall("/healthz"));
    }

    /**
     * {@code GET /readyz}: 200 while the node takes traffic, 503 while it drains or cannot reach its
     * cluster's broker (returned as a {@link NodeStatus}, not thrown). Sends no credential.
     */
    public NodeStatus readiness() {
        return call(statusCall("/readyz"));
    }

    /** {@link #readiness} without blocking. */
    public CompletableFuture<NodeStatus> readinessAsync() {
        return callAsync(statusCall("/readyz"));
    }

    /** {@code GET /cluster/v1/nodes}: the live nodes (this one alone when not clustered); 503 {@code broker_unavailable} while Redis is down. */
    public ClusterNodes nodes() {
        return call(nodesCall());
    }

    /** {@link #nodes} without blocking. */
    public CompletableFuture<ClusterNodes> nodesAsync() {
        return callAsync(nodesCall());
    }

    private Call<NodeStatus> statusCall(String path) {
        HttpRequest request = request(path, timeout, false).GET().build();
        return new Call<>(request, timeout, (status, body) -> {
            if (status != 200 && status != 503) {
                throw httpError(request, status, body);
            }
            JsonNode a = status == 200 ? answer(body) : parseOrNull(body);
            return new NodeStatus(status, text(a, "status"), text(a, "error"), text(a, "message"));
        });
    }

    private Call<ClusterNodes> nodesCall() {
        HttpRequest request = request("/cluster/v1/nodes", timeout, true).GET().build();
        return new Call<>(request, timeout, ok(request, a -> {
            JsonNode nodes = a.get("nodes");
            if (nodes == null || !nodes.isArray()) {
                throw new InvalidAnswer("no nodes array");
            }
            List<ClusterNodes.Node> out = new ArrayList<>();
            for (JsonNode n : nodes) {
                Map<String, Integer> connections = new LinkedHashMap<>();
                n.path("connections").properties().forEach(e -> connections.put(e.getKey(), e.getValue().asInt()));
                List<String> roles = new ArrayList<>();
                n.path("roles").forEach(r -> roles.add(r.asText()));
                Instant started;
                try {
                    started = Instant.parse(requiredText(n, "started"));
                } catch (DateTimeParseException e) {
                    throw new InvalidAnswer("a node's started is not an ISO-8601 instant");
                }
                out.add(new ClusterNodes.Node(requiredText(n, "id"), requiredText(n, "address"), started, connections, roles));
            }
            return new ClusterNodes(out, text(a.path("cdc"), "leader"));
        }));
    }

    // ---- requests --------------------------------------------------------------------------------

    /** One request and how to read its answer: a value, or a thrown {@link HeraldClientException}. */
    private record Call<T>(HttpRequest request, Duration timeout, Reader<T> reader) {
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(int status, byte[] body);
    }

    /** A 2xx body that does not say what the endpoint answers. */
    private static final class InvalidAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidAnswer(String message) {
            super(message, null, false, false);
        }
    }

    private <T> Call<T> post(String path, ObjectNode body, Duration requestTimeout, Function<JsonNode, T> read) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the request body cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        HttpRequest request = request(path, requestTimeout, true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        return new Call<>(request, requestTimeout, ok(request, read));
    }

    private HttpRequest.Builder request(String path, Duration requestTimeout, boolean authorized) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
        if (authorized && accessToken != null) {
            b.header("Authorization", "Bearer " + accessToken);
        }
        return b;
    }

    /** A reader for endpoints whose success is a 2xx with a JSON object. */
    private <T> Reader<T> ok(HttpRequest request, Function<JsonNode, T> read) {
        return (status, body) -> {
            if (status < 200 || status > 299) {
                throw httpError(request, status, body);
            }
            return read.apply(answer(body));
        };
    }

    private <T> T call(Call<T> call) {
        for (int attempt = 1; ; attempt++) {
            HeraldClientException failure;
            try {
                HttpResponse<byte[]> r = http.send(call.request(), HttpResponse.BodyHandlers.ofByteArray());
                return read(call, r);
            } catch (HeraldClientException e) {
                failure = e;
            } catch (IOException | RuntimeException e) {
                throw failure(call, e);
            } catch (InterruptedException e) {
                throw interrupted(call, e);
            }
            if (!retry.retries(failure, attempt)) {
                throw failure;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(retry.delay(attempt).toNanos());
            } catch (InterruptedException e) {
                throw interrupted(call, e);
            }
        }
    }

    private <T> CompletableFuture<T> callAsync(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(call, 1, result);
        return result;
    }

    private <T> void attempt(Call<T> call, int attempt, CompletableFuture<T> result) {
        if (result.isDone()) {
            return; // cancelled by the caller while waiting to retry
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(call.request(), HttpResponse.BodyHandlers.ofByteArray());
        result.whenComplete((v, e) -> exchange.cancel(true)); // a cancelled result gives up the exchange; harmless once it answered
        exchange.whenComplete((r, error) -> {
            HeraldClientException failure;
            if (error != null) {
                failure = failure(call, unwrap(error));
            } else {
                try {
                    result.complete(read(call, r));
                    return;
                } catch (HeraldClientException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = failure(call, e);
                }
            }
            if (retry.retries(failure, attempt)) {
                CompletableFuture.delayedExecutor(retry.delay(attempt).toNanos(), TimeUnit.NANOSECONDS)
                        .execute(() -> attempt(call, attempt + 1, result));
            } else {
                result.completeExceptionally(failure);
            }
        });
    }

    private <T> T read(Call<T> call, HttpResponse<byte[]> r) {
        try {
            return call.reader().read(r.statusCode(), r.body());
        } catch (InvalidAnswer e) {
            throw new HeraldClientException(HeraldClientException.Kind.INVALID_RESPONSE,
                    describe(call.request()) + ": " + r.statusCode() + " with an unreadable body: " + e.getMessage(),
                    r.statusCode(), null, null, null);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What went wrong when no answer came; the JDK's messages name addresses, never headers. */
    private HeraldClientException failure(Call<?> call, Throwable e) {
        if (e instanceof HeraldClientException hce) {
            return hce;
        }
        String what = describe(call.request());
        if (e instanceof HttpConnectTimeoutException) {
            return noAnswer(HeraldClientException.Kind.CONNECT, what + ": cannot connect: no connection within the connect timeout", e);
        }
        if (e instanceof HttpTimeoutException) {
            return noAnswer(HeraldClientException.Kind.TIMEOUT, what + ": no answer within " + call.timeout().toMillis() + " ms", e);
        }
        if (e instanceof ConnectException || e instanceof UnresolvedAddressException || e.getCause() instanceof UnresolvedAddressException) {
            return noAnswer(HeraldClientException.Kind.CONNECT, what + ": cannot connect (" + describe(e) + ")", e);
        }
        if (e instanceof IOException) {
            return noAnswer(HeraldClientException.Kind.IO, what + ": the exchange failed (" + describe(e) + ")", e);
        }
        return noAnswer(HeraldClientException.Kind.IO, what + ": failed (" + describe(e) + ")", e);
    }

    private HeraldClientException interrupted(Call<?> call, InterruptedException e) {
        Thread.currentThread().interrupt();
        return noAnswer(HeraldClientException.Kind.INTERRUPTED, describe(call.request()) + ": interrupted while waiting for the answer", e);
    }

    private static HeraldClientException noAnswer(HeraldClientException.Kind kind, String message, Throwable cause) {
        return new HeraldClientException(kind, message, 0, null, null, cause);
    }

    /** The exception for an error status: the server's {@code error} and {@code message} when the body is Herald's JSON error. */
    private HeraldClientException httpError(HttpRequest request, int status, byte[] body) {
        JsonNode parsed = parseOrNull(body);
        String error = parsed == null ? null : text(parsed, "error").orElse(null);
        String message = parsed == null ? null : text(parsed, "message").map(this::scrub).orElse(null);
        StringBuilder m = new StringBuilder(describe(request)).append(": ").append(status);
        if (error != null) {
            m.append(' ').append(error);
            if (message != null) {
                m.append(": ").append(message);
            }
        } else if (body != null && body.length > 0) {
            // not Herald's error body (a proxy's page, say): a short start of it, for a clue
            String text = new String(body, 0, Math.min(body.length, MAX_BODY_IN_MESSAGE * 4), StandardCharsets.UTF_8).strip();
            m.append(": ").append(scrub(text.length() > MAX_BODY_IN_MESSAGE ? text.substring(0, MAX_BODY_IN_MESSAGE) + "..." : text));
        }
        return new HeraldClientException(HeraldClientException.Kind.HTTP, m.toString(), status, error, message, null);
    }

    /** The method and URL (no query is ever sent, no header is named). */
    private static String describe(HttpRequest request) {
        return request.method() + " " + request.uri();
    }

    private String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : e.getClass().getName() + ": " + scrub(m);
    }

    /** Text that came from elsewhere, with the access token taken out should it ever be there. */
    private String scrub(String text) {
        return accessToken == null ? text : text.replace(accessToken, "[access token]");
    }

    // ---- JSON ------------------------------------------------------------------------------------

    private JsonNode tree(Object value) {
        if (value == null) {
            return NullNode.instance;
        }
        return json.valueToTree(value); // IllegalArgumentException when Jackson cannot write it: the caller's to fix
    }

    /** A 2xx body as a JSON object. */
    private JsonNode answer(byte[] body) {
        JsonNode a = parseOrNull(body);
        if (a == null || !a.isObject()) {
            throw new InvalidAnswer("not a JSON object");
        }
        return a;
    }

    private JsonNode parseOrNull(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode n = node == null ? null : node.get(field);
        return n != null && n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
    }

    private static String requiredText(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new InvalidAnswer("no " + field + " string"));
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidAnswer("no " + field + " number");
        }
        return n.intValue();
    }

    private static long requiredLong(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidAnswer("no " + field + " number");
        }
        return n.longValue();
    }

    @Override
    public String toString() {
        return "HeraldClient[" + baseUrl + "]";
    }

    /** Builds a {@link HeraldClient}; {@link #baseUrl} is the only required setting. Not thread-safe. */
    public static final class Builder {
        private String baseUrl;
        private String accessToken;
        private HttpClient httpClient;
        private Duration timeout = DEFAULT_TIMEOUT;
        private ObjectMapper objectMapper;
        private String lanesBasePath = DEFAULT_LANES_BASE_PATH;
        private RetryPolicy retry = RetryPolicy.none();

        private Builder() {
        }

        /**
         * The server's (or load balancer's) URL, {@code http} or {@code https}, e.g.
         * {@code https://rt.example.com} or {@code https://example.com/herald} behind a proxy that
         * strips {@code /herald}. Every API path is appended to it.
         */
        public Builder baseUrl(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be an absolute http or https URL with a host");
            }
            if (baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("baseUrl must have no user info, query or fragment");
            }
            String s = baseUrl.toString();
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            this.baseUrl = s;
            return this;
        }

        /**
         * The server credential (the server's {@code ACCESS_TOKEN}), sent as {@code Authorization: Bearer}
         * to the publish calls and the node list. Without one those calls get 401 {@code unauthenticated}.
         */
        public Builder accessToken(String accessToken) {
            if (accessToken != null && (accessToken.isBlank() || accessToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
                // the message must not repeat the value
                throw new IllegalArgumentException("accessToken must be printable ASCII without spaces");
            }
            this.accessToken = accessToken;
            return this;
        }

        /**
         * The JDK client to send with (proxy, TLS, executor, HTTP version are its settings). Default: a new
         * one with the JDK's defaults and {@link #timeout} as its connect timeout.
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * How long one request may wait for its answer (default 10 s); also the connect timeout of the
         * default HTTP client. A lane publish may wait its ack timeout on top.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** The mapper that writes payloads and rows and reads lane results as types (default: a plain {@code ObjectMapper}). */
        public Builder objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return this;
        }

        /**
         * The server's {@code lanes.basePath}: {@code /lanes/v1} by default, {@code ""} for the HopeFlow
         * URLs (publish at {@code /publish}).
         */
        public Builder lanesBasePath(String lanesBasePath) {
            Objects.requireNonNull(lanesBasePath, "lanesBasePath");
            if (!BASE_PATH.matcher(lanesBasePath).matches()) {
                throw new IllegalArgumentException("lanesBasePath must be \"\" or a path like /lanes/v1");
            }
            this.lanesBasePath = lanesBasePath;
            return this;
        }

        /** When to send a refused call again (default {@link RetryPolicy#none()}). */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** @throws IllegalStateException without a {@link #baseUrl} */
        public HeraldClient build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required");
            }
            return new HeraldClient(this);
        }
    }
}
