/**
 * Rooms: client ↔ client rooms, one actor per (party, room id), with presence, durable per-room
 * storage, hibernation and access gates. Users extend {@link io.herald.room.Room};
 * {@link io.herald.room.RoomHost} runs the actors and {@link io.herald.room.AccessGate} guards the doors.
 */
package io.herald.room;
