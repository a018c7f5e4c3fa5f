/**
 * The transport side of User lanes: the per-user WebSocket (filters, acks, ping) and the publish
 * API that waits for acks, translating to {@link io.herald.lane.LaneHub} calls.
 */
package io.herald.server.lane;
