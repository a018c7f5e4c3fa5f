/**
 * Rooms usable with zero code: {@link io.herald.room.builtin.RelayRoom} and
 * {@link io.herald.room.builtin.PresenceRoom}.
 */
package io.herald.room.builtin;
