package io.herald.server.room;

import io.herald.server.WsClient;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A {@link WsClient} of a room: text messages are queued as they are, binary ones (reassembled) as
 * {@code binary:<hex>}; presence updates can be skipped.
 */
final class RoomClient extends WsClient {
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            StringBuilder hex = new StringBuilder("binary:");
            for (byte x : binary.toByteArray()) {
                hex.append(String.format("%02x", x));
            }
            messages.add(hex.toString());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    /** The next message that is not a presence update (those come on every join and leave). */
    String nextSkippingPresence() {
        while (true) {
            String m = next();
            if (!m.startsWith("{\"type\":\"presence\"")) {
                return m;
            }
        }
    }

    /** The next message that is not a presence update within {@code wait}, or null. */
    String pollSkippingPresence(Duration wait) {
        while (true) {
            String m = poll(wait);
            if (m == null || !m.startsWith("{\"type\":\"presence\"")) {
                return m;
            }
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
