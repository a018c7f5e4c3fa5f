package io.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link TicketService#verify} over strings a client controls: random text, random base64url parts,
 * valid tickets with one character changed or cut short, and validly signed random claims. Each is
 * refused with a 401 from the error table or, only when untouched and well-formed, accepted.
 */
class TicketPropertiesTest {
    private static final String ACCESS_TOKEN = "access-token-for-tests-0123456789";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.INVALID_TICKET, ErrorCode.EXPIRED_TICKET);

    private final TicketService tickets = new TicketService(ACCESS_TOKEN, Duration.ofSeconds(60), false, 1000,
            Clock.fixed(NOW, ZoneOffset.UTC), new ObjectMapper());
    private final String valid = tickets.mint("u_1", "org_1", List.of("owner", "recruiter"), "room:abc", "Ada");

    @Provide
    Arbitrary<String> ticketShaped() {
        Arbitrary<String> part = Arbitraries.oneOf(
                Arbitraries.strings().withChars(TokenTampering.B64_CHARS).ofMaxLength(80),
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(60).map(B64::encodeToString));
        return Combinators.combine(Arbitraries.of("v1.", "v1", "v2.", "", "V1."), part, Arbitraries.of(".", "..", "", "=", "%2E"), part)
                .as((v, a, dot, b) -> v + a + dot + b);
    }

    @Property(tries = 10000)
    void anyStringIsRefusedWithA401FromTheTable(@ForAll String anything) {
        assertRefusedWith401(anything);
    }

    @Property(tries = 10000)
    void ticketShapedStringsWithoutTheKeyAreRefusedWithA401(@ForAll("ticketShaped") String ticket) {
        assertRefusedWith401(ticket);
    }

    @Property(tries = 10000)
    void aValidTicketWithOneCharacterChangedIsNeverAccepted(@ForAll("positions") int position, @ForAll("replacements") char replacement) {
        int at = position % valid.length();
        String tampered = valid.substring(0, at) + replacement + valid.substring(at + 1);
        if (!tampered.equals(valid)) {
            assertRefusedWith401(tampered);
        }
    }

    @Property(tries = 10000)
    void aValidTicketCutShortOrExtendedIsNeverAccepted(@ForAll @IntRange(min = 0, max = 400) int keep, @ForAll("ticketShaped") String tail) {
        String changed = valid.substring(0, keep % valid.length()) + tail;
        if (!changed.equals(valid)) {
            assertRefusedWith401(changed);
        }
    }

    @Property(tries = 10000)
    void validlySignedRandomClaimsAreAcceptedOrRefusedWithA401(@ForAll("claims") String claimsJson) {
        Hmac hmac = new Hmac(Hmac.derive(ACCESS_TOKEN, "herald/ws-ticket/v1"));
        String signed = "v1." + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        String ticket = signed + "." + B64.encodeToString(hmac.sign(signed));
        Throwable t = catchThrowable(() -> tickets.verify(ticket));
        if (t != null) {
            assertThat(t).isInstanceOf(HeraldException.class);
            assertThat(((HeraldException) t).code()).isIn(REFUSALS);
        }
    }

    @Provide
    Arbitrary<Integer> positions() {
        return TokenTampering.positions(valid);
    }

    @Provide
    Arbitrary<Character> replacements() {
        return TokenTampering.replacements();
    }

    @Provide
    Arbitrary<String> claims() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
                Arbitraries.longs().map(Object::toString),
                Arbitraries.of("null", "true", "[]", "{}", "[\"a\",1,\"b\"]", "{\"x\":[1]}", "1e400", "99999999999999999999999",
                        "-1", "1.5", "\"", "[", "{\"a\":"));
        Arbitrary<String> field = Combinators.combine(Arbitraries.of("jti", "sub", "org", "roles", "scope", "name", "exp", "x"), value)
                .as((k, v) -> "\"" + k + "\":" + v);
        return Arbitraries.oneOf(
                field.list().ofMaxSize(8).map(fs -> "{" + String.join(",", fs) + "}"),
                Arbitraries.strings().ofMaxLength(40));
    }

    private void assertRefusedWith401(String ticket) {
        Throwable t = catchThrowable(() -> tickets.verify(ticket));
        assertThat(t).as("verify(%s)", ticket).isInstanceOf(HeraldException.class);
        HeraldException e = (HeraldException) t;
        assertThat(e.code().httpStatus()).isEqualTo(401);
        if (ticket != null && !ticket.isEmpty()) {
            assertThat(e.code()).isIn(REFUSALS);
        }
    }
}
