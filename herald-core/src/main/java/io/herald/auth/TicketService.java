package io.herald.auth;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mints and verifies WebSocket tickets: {@code v1.<base64url claims>.<base64url HMAC-SHA256>}, keyed by
 * a sub-key derived from the access token, compared in constant time. Optionally single-use: a
 * bounded table of spent ticket ids, each kept only until its ticket would have expired. Thread-safe.
 */
public final class TicketService {
    private static final String VERSION = "v1.";
    private static final int MAX_TICKET_CHARS = 4096;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Hmac hmac;
    private final Duration ttl;
    private final Clock clock;
    private final ObjectMapper json;
    private final boolean singleUse;
    private final int maxSpent;
    private final Map<String, Long> spent = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public TicketService(String accessToken, Duration ttl, boolean singleUse, int maxSpent, Clock clock, ObjectMapper json) {
        this.hmac = new Hmac(Hmac.derive(accessToken, "herald/ws-ticket/v1"));
        this.ttl = ttl;
        this.clock = clock;
        this.json = json;
        this.singleUse = singleUse;
        this.maxSpent = maxSpent;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Mints a ticket for {@code userId} in {@code organizationId} with {@code roles}, optionally scoped. */
    public String mint(String userId, String organizationId, List<String> roles, String scope, String name) {
        byte[] id = new byte[12];
        random.nextBytes(id);
        long exp = clock.millis() + ttl.toMillis();
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("jti", B64.encodeToString(id));
            g.writeStringField("sub", userId);
            if (organizationId != null) {
                g.writeStringField("org", organizationId);
            }
            g.writeArrayFieldStart("roles");
            for (String r : roles) {
                g.writeString(r);
            }
            g.writeEndArray();
            if (scope != null) {
                g.writeStringField("scope", scope);
            }
            if (name != null) {
                g.writeStringField("name", name);
            }
            g.writeNumberField("exp", exp);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String signed = VERSION + B64.encodeToString(out.toByteArray());
        return signed + "." + B64.encodeToString(hmac.sign(signed));
    }

    /**
     * Verifies a ticket and, for single-use tickets, spends it.
     *
     * @throws HeraldException 401 {@code invalid_ticket} (malformed, tampered, other key, already used) or
     *     {@code expired_ticket}; 429 when the spent-ticket table is full
     */
    public Ticket verify(String ticket) {
        if (ticket == null || ticket.isEmpty()) {
            throw new HeraldException(ErrorCode.UNAUTHENTICATED, "A ws_ticket is required.");
        }
        int dot = ticket.lastIndexOf('.');
        if (ticket.length() > MAX_TICKET_CHARS || !ticket.startsWith(VERSION) || dot <= VERSION.length()) {
            throw invalid();
        }
        byte[] mac;
        byte[] claims;
        try {
            mac = decodeCanonical(ticket.substring(dot + 1));
            claims = decodeCanonical(ticket.substring(VERSION.length(), dot));
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        byte[] signedPart = ticket.substring(0, dot).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(mac, hmac.sign(signedPart, 0, signedPart.length))) {
            throw invalid();
        }
        Ticket t = parse(claims);
        long now = clock.millis();
        if (now >= t.expiresAt().toEpochMilli()) {
            throw new HeraldException(ErrorCode.EXPIRED_TICKET);
        }
        if (singleUse) {
            spend(t, now);
        }
        return t;
    }

    private void spend(Ticket t, long now) {
        if (spent.size() >= maxSpent) {
            spent.values().removeIf(exp -> exp <= now);
            if (spent.size() >= maxSpent) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many tickets in flight.");
            }
        }
        if (spent.putIfAbsent(t.id(), t.expiresAt().toEpochMilli()) != null) {
            throw new HeraldException(ErrorCode.INVALID_TICKET, "The WebSocket ticket was already used.");
        }
    }

    private Ticket parse(byte[] claims) {
        String jti = null;
        String sub = null;
        String org = null;
        String scope = null;
        String name = null;
        long exp = -1;
        List<String> roles = new ArrayList<>(2);
        try (JsonParser p = json.getFactory().createParser(claims)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "jti" -> jti = p.getValueAsString();
                    case "sub" -> sub = p.getValueAsString();
                    case "org" -> org = p.getValueAsString();
                    case "scope" -> scope = p.getValueAsString();
                    case "name" -> name = p.getValueAsString();
                    case "exp" -> exp = p.getValueAsLong(-1);
                    case "roles" -> {
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            roles.add(p.getText());
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw invalid();
        }
        if (jti == null || sub == null || exp < 0) {
            throw invalid();
        }
        return new Ticket(jti, sub, org, roles, scope, name, Instant.ofEpochMilli(exp));
    }

    /**
     * Decodes unpadded base64url that is exactly what {@link #B64} writes: the JDK decoder ignores the unused
     * low bits of a part's last character, so without this check a ticket with its last character changed
     * (say {@code ...R} for {@code ...S}) would still verify.
     */
    private static byte[] decodeCanonical(String part) {
        byte[] bytes = B64D.decode(part);
        if (!B64.encodeToString(bytes).equals(part)) {
            throw new IllegalArgumentException("not canonical base64url");
        }
        return bytes;
    }

    private static HeraldException invalid() {
        return new HeraldException(ErrorCode.INVALID_TICKET);
    }
}
