package io.herald.channel;

import io.herald.EncodedMessage;

/**
 * One published event of a channel: its id, name, data as JSON text, and its SSE frame bytes,
 * encoded once and shared by every subscriber. Immutable.
 */
public record ChannelEvent(long id, String event, String data, EncodedMessage frame) {
}
