/**
 * The transport side of Rooms: routing {@code /realtime/<party>/<room>} and {@code /parties/<party>/<room>}
 * upgrades through auth and access gates into {@link io.herald.room.RoomHost}, with per-socket limits.
 */
package io.herald.server.room;
