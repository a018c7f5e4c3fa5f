package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A message body with a hole for the timestamp: {@code head + <decimal ts> + tail}, written into a
 * buffer with no allocation beyond the buffer. Confined to one thread (the digit scratch is shared).
 */
final class PayloadTemplate {
    /** Epoch microseconds have 16 digits until the year 2286. */
    static final int TS_DIGITS = 16;
    private final byte[] head;
    private final byte[] tail;
    private final byte[] digits = new byte[20];

    private PayloadTemplate(String head, String tail) {
        this.head = head.getBytes(StandardCharsets.UTF_8);
        this.tail = tail.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A JSON object of about {@code payloadBytes} bytes, {@code {"ts":<ts>,"pad":"xx..."}}, placed between
     * {@code before} and {@code after}; the timestamp comes first so receivers find it after a few bytes.
     */
    static PayloadTemplate object(String before, int payloadBytes, String after) {
        return object(before, "", payloadBytes, after);
    }

    /** As {@link #object(String, int, String)} with {@code fields} (a JSON member list ending in a comma, or empty) after the timestamp. */
    static PayloadTemplate object(String before, String fields, int payloadBytes, String after) {
        String fixed = "{\"ts\":" + "," + fields + "\"pad\":\"\"}";
        String pad = "x".repeat(Math.max(0, payloadBytes - fixed.length() - TS_DIGITS));
        return new PayloadTemplate(before + "{\"ts\":", "," + fields + "\"pad\":\"" + pad + "\"}" + after);
    }

    int maxLength() {
        return head.length + digits.length + tail.length;
    }

    void writeTo(ByteBuf out, long ts) {
        out.writeBytes(head);
        int i = digits.length;
        long v = ts;
        do {
            digits[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        out.writeBytes(digits, i, digits.length - i);
        out.writeBytes(tail);
    }
}
