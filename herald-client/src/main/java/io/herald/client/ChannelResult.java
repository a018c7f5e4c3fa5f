package io.herald.client;

/**
 * The server's answer to {@code POST /channels/v1/publish}, {@code {"delivered":N,"id":I}}.
 *
 * @param delivered the streams the event was written to at that moment (summed over a cluster's nodes)
 * @param id        the event's id in its channel: what SSE clients see as {@code id:} and resume after
 */
public record ChannelResult(int delivered, long id) {
}
