/**
 * The transport side of Broadcast: the ticket endpoint, the publish API and the ticketed WebSocket.
 * Each handler translates HTTP/WebSocket to {@link io.herald.broadcast.BroadcastHub} calls and back.
 */
package io.herald.server.broadcast;
