/**
 * Broadcast: server → clients fan-out per scope of postgres_changes and custom events, with role
 * filtering, projection and per-role masking. Entry type: {@link io.herald.broadcast.BroadcastHub};
 * tickets for its sockets come from {@link io.herald.broadcast.TicketIssuer}.
 */
package io.herald.broadcast;
