/**
 * User lanes: per-user WebSocket fan-out where each socket subscribes with filters and acks each
 * envelope, and the publisher gets the acks back. Entry type: {@link io.herald.lane.LaneHub}.
 */
package io.herald.lane;
