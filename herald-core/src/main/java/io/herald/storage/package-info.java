/**
 * Durable per-room key/value storage: the {@link io.herald.storage.Storage} port and its embedded
 * SQLite adapter (the PostgreSQL one, for clusters, is in herald-postgres). Values survive restarts and a
 * kill -9 once a write has returned.
 */
package io.herald.storage;
