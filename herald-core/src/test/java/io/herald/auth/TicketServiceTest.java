package io.herald.auth;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TicketServiceTest {
    private static final String ACCESS_TOKEN = "access-token-for-tests-0123456789";
    private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(60);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final ObjectMapper json = new ObjectMapper();
    private final MutableClock clock = new MutableClock(START);
    private final TicketService tickets = service(false, 1000);

    private TicketService service(boolean singleUse, int maxSpent) {
        return new TicketService(ACCESS_TOKEN, TTL, singleUse, maxSpent, clock, json);
    }

    private String orgTicket(TicketService service) {
        return service.mint("u_1", "org_1", List.of("owner"), null, null);
    }

    /** Signs {@code claimsJson} exactly as the service does, to test what happens after a valid MAC. */
    private static String signedWithTheServiceKey(String claimsJson) {
        Hmac hmac = new Hmac(Hmac.derive(ACCESS_TOKEN, "herald/ws-ticket/v1"));
        String signed = "v1." + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        return signed + "." + B64.encodeToString(hmac.sign(signed));
    }

    private static String replaceMac(String ticket, String mac) {
        return ticket.substring(0, ticket.lastIndexOf('.') + 1) + mac;
    }

    @Test
    void anOrgTicketRoundTripsEveryField() {
        String ticket = tickets.mint("u_1", "org_1", List.of("owner", "recruiter"), null, "Jane");

        Ticket t = tickets.verify(ticket);

        assertThat(t.userId()).isEqualTo("u_1");
        assertThat(t.organizationId()).isEqualTo("org_1");
        assertThat(t.roles()).containsExactly("owner", "recruiter");
        assertThat(t.scope()).isNull();
        assertThat(t.resourceScope()).isEmpty();
        assertThat(t.name()).isEqualTo("Jane");
        assertThat(t.expiresAt()).isEqualTo(START.plus(TTL));
        assertThat(t.id()).isNotBlank();
    }

    @Test
    void aResourceTicketCarriesItsScopeAndMayHaveNoOrganization() {
        Ticket t = tickets.verify(tickets.mint("u_1", null, List.of("attendee"), "events:evt_123", null));

        assertThat(t.resourceScope()).contains("events:evt_123");
        assertThat(t.organizationId()).isNull();
        assertThat(t.roles()).containsExactly("attendee");
        assertThat(t.name()).isNull();
    }

    @Test
    void aTicketWithNoRolesRoundTripsWithAnEmptyList() {
        assertThat(tickets.verify(tickets.mint("u_1", "org_1", List.of(), null, null)).roles()).isEmpty();
    }

    @Test
    void ticketsAreVersionedThreePartTokensWithADistinctRandomIdEachTime() {
        String a = orgTicket(tickets);
        String b = orgTicket(tickets);

        assertThat(a).startsWith("v1.").matches("v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(a).isNotEqualTo(b);
        assertThat(tickets.verify(a).id()).isNotEqualTo(tickets.verify(b).id());
    }

    @Test
    void aTicketIsValidUntilItsExpiryAndExpiredFromThenOn() {
        String ticket = orgTicket(tickets);

        clock.advance(TTL.minusMillis(1));
        assertThat(tickets.verify(ticket).userId()).isEqualTo("u_1");

        clock.advance(Duration.ofMillis(1));
        assertRefused(ErrorCode.EXPIRED_TICKET, () -> tickets.verify(ticket));
    }

    @Test
    void theLifetimeIsTheConfiguredTtl() {
        TicketService shortLived = new TicketService(ACCESS_TOKEN, Duration.ofSeconds(5), false, 10, clock, json);
        String ticket = orgTicket(shortLived);

        assertThat(shortLived.ttl()).isEqualTo(Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertRefused(ErrorCode.EXPIRED_TICKET, () -> shortLived.verify(ticket));
    }

    @Test
    void aServiceWithTheSameAccessTokenVerifiesTheTicketOfAnother() {
        // several nodes share the access token; a ticket minted on one is good on the others
        TicketService otherNode = service(false, 10);
        assertThat(otherNode.verify(orgTicket(tickets)).organizationId()).isEqualTo("org_1");
    }

    @Test
    void tamperedClaimsAreAnInvalidTicket() {
        String ticket = tickets.mint("u_1", "org_1", List.of("viewer"), null, null);
        String[] parts = ticket.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = claims.replace("\"viewer\"", "\"owner\"");
        assertThat(forged).isNotEqualTo(claims);

        String tampered = "v1." + B64.encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(tampered));
    }

    @Test
    void aTamperedMacIsAnInvalidTicket() {
        String ticket = orgTicket(tickets);
        String mac = ticket.substring(ticket.lastIndexOf('.') + 1);
        char flipped = mac.charAt(10) == 'A' ? 'B' : 'A';
        String tampered = replaceMac(ticket, mac.substring(0, 10) + flipped + mac.substring(11));

        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(tampered));
        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(replaceMac(ticket, mac.substring(0, 20))));
        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(replaceMac(ticket, "")));
    }

    @Test
    void aTicketFromAnotherAccessTokenIsAnInvalidTicket() {
        TicketService otherServer = new TicketService("another-access-token-987654321", TTL, false, 10, clock, json);
        String foreign = orgTicket(otherServer);

        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(foreign));
    }

    @Test
    void aMissingTicketIsUnauthenticated() {
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> tickets.verify(null));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> tickets.verify(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "v1.", "v1..", "v1.abc", "v2.abc.def", "V1.abc.def", "v1.***.abc", "v1.abc.***",
                            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzEifQ.c2ln"})
    void malformedTicketsAreInvalid(String ticket) {
        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(ticket));
    }

    @Test
    void anOversizedTicketIsInvalidBeforeAnyDecoding() {
        String huge = "v1." + "A".repeat(5000) + ".AAAA";
        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(huge));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[\"u_1\"]", "{\"sub\":\"u_1\",\"exp\":9999999999999}",
                            "{\"jti\":\"x\",\"exp\":9999999999999}", "{\"jti\":\"x\",\"sub\":\"u_1\"}",
                            "{\"jti\":\"x\",\"sub\":\"u_1\",\"exp\":\"soon\"}", "{\"jti\":\"x\",\"sub\":\"u_1\",\"exp\":"})
    void correctlySignedButIncompleteClaimsAreInvalid(String claims) {
        String ticket = signedWithTheServiceKey(claims);
        assertRefused(ErrorCode.INVALID_TICKET, () -> tickets.verify(ticket));
    }

    @Test
    void correctlySignedClaimsWithUnknownFieldsAreAccepted() {
        String ticket = signedWithTheServiceKey(
                "{\"jti\":\"j1\",\"future\":{\"a\":[1,2]},\"sub\":\"u_1\",\"roles\":[\"owner\"],\"exp\":" + START.plusSeconds(10).toEpochMilli() + "}");
        Ticket t = tickets.verify(ticket);
        assertThat(t.id()).isEqualTo("j1");
        assertThat(t.roles()).containsExactly("owner");
    }

    @Test
    void aTicketMayBeReusedUntilItExpiresByDefault() {
        String ticket = orgTicket(tickets);

        assertThat(tickets.verify(ticket).userId()).isEqualTo("u_1");
        assertThat(tickets.verify(ticket).userId()).isEqualTo("u_1");
    }

    @Test
    void aSingleUseTicketIsRefusedTheSecondTime() {
        TicketService singleUse = service(true, 100);
        String ticket = orgTicket(singleUse);

        assertThat(singleUse.verify(ticket).userId()).isEqualTo("u_1");
        HeraldException second = assertRefused(ErrorCode.INVALID_TICKET, () -> singleUse.verify(ticket));
        assertThat(second.getMessage()).contains("already used");
    }

    @Test
    void singleUseSpendsEachTicketSeparately() {
        TicketService singleUse = service(true, 100);
        String a = orgTicket(singleUse);
        String b = orgTicket(singleUse);

        singleUse.verify(a);
        assertThat(singleUse.verify(b).userId()).isEqualTo("u_1");
        assertRefused(ErrorCode.INVALID_TICKET, () -> singleUse.verify(b));
    }

    @Test
    void aRefusedTicketIsNotSpent() {
        TicketService singleUse = service(true, 1);
        String expired = orgTicket(singleUse);
        clock.advance(TTL);
        assertRefused(ErrorCode.EXPIRED_TICKET, () -> singleUse.verify(expired));

        // the table (capacity 1) is still empty, so a fresh ticket is accepted
        assertThat(singleUse.verify(orgTicket(singleUse)).userId()).isEqualTo("u_1");
    }

    @Test
    void aFullTableOfLiveSpentTicketsRefusesFurtherUpgradesWith429() {
        TicketService singleUse = service(true, 2);
        singleUse.verify(orgTicket(singleUse));
        singleUse.verify(orgTicket(singleUse));
        String third = orgTicket(singleUse);

        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> singleUse.verify(third));
    }

    @Test
    void expiredEntriesAreEvictedWhenTheTableIsFull() {
        TicketService singleUse = service(true, 2);
        singleUse.verify(orgTicket(singleUse));
        singleUse.verify(orgTicket(singleUse));
        clock.advance(Duration.ofSeconds(30));
        String later = orgTicket(singleUse);
        String laterStill = orgTicket(singleUse);
        clock.advance(Duration.ofSeconds(31)); // the first two have expired, the later ones have not

        assertThat(singleUse.verify(later).userId()).isEqualTo("u_1");
        assertRefused(ErrorCode.INVALID_TICKET, () -> singleUse.verify(later));
        assertThat(singleUse.verify(laterStill).userId()).isEqualTo("u_1");
    }

    @Test
    void aReplayAgainstAFullTableIsStillRefused() {
        TicketService singleUse = service(true, 2);
        String first = orgTicket(singleUse);
        singleUse.verify(first);
        singleUse.verify(orgTicket(singleUse));

        // the capacity check comes before the replay check, so the refusal is 429 rather than 401
        HeraldException e = catchThrowableOfType(HeraldException.class, () -> singleUse.verify(first));
        assertThat(e).isNotNull();
        assertThat(e.code()).isIn(ErrorCode.INVALID_TICKET, ErrorCode.TOO_MANY_REQUESTS);
    }

    @Test
    void aSingleUseTicketPresentedConcurrentlyIsAcceptedExactlyOnce() throws Exception {
        TicketService singleUse = service(true, 100);
        String ticket = orgTicket(singleUse);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            Callable<Boolean> attempt = () -> {
                go.await();
                try {
                    singleUse.verify(ticket);
                    return true;
                } catch (HeraldException e) {
                    return false;
                }
            };
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(attempt));
            }
            go.countDown();
            int accepted = 0;
            for (Future<Boolean> r : results) {
                accepted += r.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ticketToStringRevealsNoSecretMaterial() {
        String ticket = orgTicket(tickets);
        Ticket t = tickets.verify(ticket);
        assertThat(t.toString()).contains("u_1").doesNotContain(t.id()).doesNotContain(ticket);
    }
}
