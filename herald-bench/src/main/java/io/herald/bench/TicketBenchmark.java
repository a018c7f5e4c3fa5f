package io.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.JwtSigner;
import io.herald.auth.JwtVerifier;
import io.herald.auth.Principal;
import io.herald.auth.Ticket;
import io.herald.auth.TicketService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Cost of minting and verifying a WebSocket ticket, and of verifying a session JWT (the upgrade's auth path). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TicketBenchmark {
    private TicketService tickets;
    private JwtVerifier jwt;
    private String ticket;
    private String token;

    @Setup
    public void setup() {
        ObjectMapper json = new ObjectMapper();
        tickets = new TicketService("bench-access-token-0123456789", Duration.ofSeconds(60), false, 1000,
                Clock.systemUTC(), json);
        ticket = tickets.mint("user_1", "org_1", List.of("recruiter", "owner"), null, null);
        String secret = "bench-jwt-secret-0123456789abcdef";
        jwt = new JwtVerifier(secret, true, 30, Clock.systemUTC(), json);
        token = new JwtSigner(secret).sign(Map.of("sub", "user_1", "orgs", Map.of("org_1", List.of("owner")),
                "exp", Instant.now().plusSeconds(3600).getEpochSecond()));
    }

    @Benchmark
    public String mintTicket() {
        return tickets.mint("user_1", "org_1", List.of("recruiter", "owner"), null, null);
    }

    @Benchmark
    public Ticket verifyTicket() {
        return tickets.verify(ticket);
    }

    @Benchmark
    public Principal verifyJwt() {
        return jwt.verify(token);
    }
}
