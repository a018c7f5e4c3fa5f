/**
 * The transport side of Channels: the SSE stream ({@code /sse/<channel>}), the polling view and the
 * publish API, translating HTTP to {@link io.herald.channel.ChannelHub} calls.
 */
package io.herald.server.channel;
