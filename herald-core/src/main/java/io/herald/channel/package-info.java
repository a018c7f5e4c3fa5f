/**
 * Channels: Server-Sent Events fan-out per channel name with a replay ring, Last-Event-ID resume,
 * {@code realtime.reset} on gaps, optional durable ids, and a polling view. Entry type:
 * {@link io.herald.channel.ChannelHub}; who may read a channel is a {@link io.herald.channel.ChannelAuthorizer}.
 */
package io.herald.channel;
