package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.JwtSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Gets WebSocket tickets the way a browser does: a session JWT per benchmark user (minted here with
 * the server's JWT secret), then {@code POST /broadcast/v1/ws-ticket}. Socket {@code i} is user
 * {@code bench_u<i>} in the benchmark org, holding role {@code role<i mod K>}, so K role sets meet in one scope.
 * Spread over M organizations ({@code <org>_<i mod M>}, as {@link io.herald.bench.cdc.BenchCdc#org} names
 * them), socket {@code i} holds {@code role<(i / M) mod K>} instead, so the K role sets meet in every organization.
 * With several servers, socket {@code i} gets its ticket from the server it will connect to ({@link LoadOptions#serverOf}),
 * as a browser behind a load balancer would.
 */
final class Tickets {
    private static final int CONCURRENCY = 32;
    private final List<URI> bases;
    private final JwtSigner signer;
    private final String org;
    private final int roleSets;
    private final int orgs;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    Tickets(List<URI> bases, String jwtSecret, String org, int roleSets) {
        this(bases, jwtSecret, org, roleSets, 1);
    }

    Tickets(List<URI> bases, String jwtSecret, String org, int roleSets, int orgs) {
        this.bases = List.copyOf(bases);
        this.signer = new JwtSigner(jwtSecret);
        this.org = org;
        this.roleSets = Math.max(1, roleSets);
        this.orgs = Math.max(1, orgs);
    }

    /** Tickets for sockets {@code first .. first+count-1}, in order. */
    List<String> fetch(int first, int count) {
        Semaphore slots = new Semaphore(CONCURRENCY);
        List<CompletableFuture<String>> all = new ArrayList<>(count);
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        for (int i = first; i < first + count; i++) {
            String socketOrg = io.herald.bench.cdc.BenchCdc.org(org, orgs, i);
            String role = "role" + ((i / orgs) % roleSets);
            String jwt = signer.sign(Map.of("sub", "bench_u" + i, "orgs", Map.of(socketOrg, List.of(role)), "exp", exp));
            HttpRequest request = HttpRequest.newBuilder(bases.get(LoadOptions.serverOf(i, bases.size())).resolve("/broadcast/v1/ws-ticket"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + jwt)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"organizationId\":\"" + socketOrg + "\"}"))
                    .build();
            slots.acquireUninterruptibly();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> slots.release())
                    .thenApply(this::ticket));
        }
        List<String> tickets = new ArrayList<>(count);
        for (CompletableFuture<String> f : all) {
            tickets.add(f.join());
        }
        return tickets;
    }

    private String ticket(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ws-ticket answered " + r.statusCode() + ": " + r.body());
        }
        try {
            JsonNode body = json.readTree(r.body());
            return body.get("wsTicket").asText();
        } catch (IOException e) {
            throw new IllegalStateException("ws-ticket answered no JSON", e);
        }
    }
}
