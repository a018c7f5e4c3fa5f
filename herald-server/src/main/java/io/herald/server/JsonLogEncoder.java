package io.herald.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * {@code logging.format: json}: each event as one JSON object on one line,
 * {@code {"timestamp":"2025-05-01T14:03:07.123+02:00","level":"INFO","logger":"io.herald.server.Main","thread":"main",
 * "message":"..."}}, then the event's MDC entries and SLF4J key-value pairs as fields of their own (a
 * {@code socketId}, say), and {@code exception} with the stack trace when there is one. Logback's own
 * {@code JsonEncoder} writes the time as epoch milliseconds and nests the MDC, which log collectors then have to
 * remap. Thread-safe (logback calls it under the appender's lock; it keeps no state of its own).
 */
final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    /** The fields every line has: an MDC entry or key-value pair of the same name is left out rather than written twice. */
    private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "thread", "message", "exception");
    private static final byte[] NOTHING = new byte[0];
    private final ZoneId zone;

    JsonLogEncoder(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", TIME.format(event.getInstant().atZone(zone)));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            for (Map.Entry<String, String> e : event.getMDCPropertyMap().entrySet()) {
                if (!FIXED.contains(e.getKey())) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
            }
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair kv : event.getKeyValuePairs()) {
                    if (!FIXED.contains(kv.key)) {
                        g.writeStringField(kv.key, String.valueOf(kv.value));
                    }
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.append('\n');
        return out.toByteArray();
    }
}
