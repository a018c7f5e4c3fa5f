/**
 * Durable per-room key/value storage: the {@link io.herald.storage.Storage} port and its embedded
 * SQLite adapter (the PostgreSQL one, for clusters, is in herald-postgres). Values survive restarts and a
 * kill -9 once a write has returned. Writes may carry a room owner's fencing token, and a stale owner's
 * are refused with {@link io.herald.storage.FencedOutException}.
 */
package io.herald.storage;
