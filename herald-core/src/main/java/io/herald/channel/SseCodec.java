package io.herald.channel;

import io.herald.EncodedMessage;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing as @workkit/realtime writes it: {@code event:} (omitted when empty),
 * {@code id:}, one {@code data:} line per line of the JSON text, a blank line; comments are
 * {@code : text}. UTF-8, {@code \n} only, no {@code retry:}. Stateless.
 */
public final class SseCodec {
    /** The first bytes of every stream. */
    public static final EncodedMessage CONNECTED = comment("connected");
    /** The heartbeat comment. */
    public static final EncodedMessage KEEPALIVE = comment("keepalive");

    private SseCodec() {
    }

    /** The frame of one event; {@code data} is the JSON text of the published value. */
    public static EncodedMessage event(String event, long id, String data) {
        StringBuilder sb = new StringBuilder(event.length() + data.length() + 32);
        if (!event.isEmpty()) {
            sb.append("event: ").append(event).append('\n');
        }
        sb.append("id: ").append(id).append('\n');
        int start = 0;
        while (true) {
            int nl = data.indexOf('\n', start);
            sb.append("data: ").append(data, start, nl < 0 ? data.length() : nl).append('\n');
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
        sb.append('\n');
        return EncodedMessage.text(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A comment frame; newlines in {@code text} are removed. */
    public static EncodedMessage comment(String text) {
        return EncodedMessage.text((": " + text.replace("\n", "") + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
